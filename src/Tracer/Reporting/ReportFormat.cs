namespace LeakScope.Tracer.Reporting;

/// <summary>The report formats; <see cref="ReportWriters"/> writes each.</summary>
public enum ReportFormat
{
    /// <summary>The report for people (<c>text</c>).</summary>
    Text,
    /// <summary>The JSON report of docs/json-report.md (<c>json</c>).</summary>
    Json,
    /// <summary>SARIF 2.1.0 (<c>sarif</c>).</summary>
    Sarif,
    /// <summary>JUnit XML (<c>junit</c>).</summary>
    JUnit,
    /// <summary>Self-contained HTML (<c>html</c>).</summary>
    Html,
}
