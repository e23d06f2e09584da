using NJsonSchema;
using NJsonSchema.Validation;

namespace LeakScope.Tests.Shared;

/// <summary>The official SARIF 2.1.0 schema (tests/Shared/sarif-2.1.0-rtm.5.json), and validation against it.</summary>
internal static class SarifSchema
{
    private static readonly Lazy<Task<JsonSchema>> s_schema = new(() =>
        JsonSchema.FromFileAsync(Path.Combine(AppContext.BaseDirectory, "Shared", "sarif-2.1.0-rtm.5.json")));

    /// <summary>Every schema violation of <paramref name="sarif"/>, flattened to "kind: path" lines (empty when valid).</summary>
    public static async Task<IReadOnlyList<string>> ValidateAsync(string sarif)
    {
        JsonSchema schema = await s_schema.Value;
        var errors = new List<string>();
        Flatten(schema.Validate(sarif), errors);
        return errors;
    }

    private static void Flatten(IEnumerable<ValidationError> errors, List<string> into)
    {
        foreach (ValidationError error in errors)
        {
            if (error is ChildSchemaValidationError child)
            {
                foreach (ICollection<ValidationError> nested in child.Errors.Values)
                {
                    Flatten(nested, into);
                }
            }
            else
            {
                into.Add($"{error.Kind}: {error.Path}");
            }
        }
    }
}
