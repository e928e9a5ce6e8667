using NJsonSchema;
using Preflight.Tests.Support;

namespace Preflight.Tests.Reporting;

/// <summary>The official SARIF 2.1.0 schema (draft-04) from the shared data, loaded once per test run.</summary>
internal static class SarifSchema
{
    private const string RelativePath = "sarif/sarif-schema-2.1.0.json";

    private static readonly Lazy<Task<JsonSchema>> Schema = new(() => JsonSchema.FromFileAsync(SharedData.Require(RelativePath)));

    /// <summary>The schema; ignores (or, in CI, fails) the calling test when the shared data is absent.</summary>
    public static async Task<JsonSchema> LoadAsync()
    {
        SharedData.Require(RelativePath);
        return await Schema.Value;
    }
}
