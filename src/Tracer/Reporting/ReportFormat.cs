namespace LeakScope.Tracer.Reporting;

/// <summary>The report formats; <see cref="ReportWriters"/> writes each.</summary>
public enum ReportFormat
{
    Text,
    Json,
    Sarif,
    JUnit,
    Html,
}
