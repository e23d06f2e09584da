namespace LeakScope.Tracer.Reporting;

/// <summary>The report formats; <see cref="ReportWriters"/> writes each.</summary>
public enum ReportFormat
{
    Text,
    Json,
    Sarif,
    JUnit,
    Html,

    /// <summary>Leaked bytes per call stack in the collapsed-stack format (<c>root;…;leaf bytes</c>) of flamegraph.pl, speedscope and inferno.</summary>
    Folded,
}
