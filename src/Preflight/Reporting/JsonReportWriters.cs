using System.Text.Json;
using System.Text.Json.Serialization;

namespace Preflight.Reporting;

/// <summary>
/// Hand-written writers for the report's most numerous values: a location (a large package's report holds hundreds of
/// thousands, most of them the places of its endpoints) and a finding. They write exactly what the generated metadata
/// would (the same names, order, nulls and escaping; a test holds the two to the same bytes), without its per-property
/// dispatch. Writing only: the report is read through the generated metadata.
/// </summary>
internal static class JsonReportWriters
{
    /// <summary>The converters, to add to the options the report is written with.</summary>
    public static JsonConverter[] All { get; } = [new LocationWriter(), new FindingWriter()];

    private static readonly JsonEncodedText Path = JsonEncodedText.Encode("path");
    private static readonly JsonEncodedText Line = JsonEncodedText.Encode("line");
    private static readonly JsonEncodedText Column = JsonEncodedText.Encode("column");
    private static readonly JsonEncodedText RuleId = JsonEncodedText.Encode("ruleId");
    private static readonly JsonEncodedText Rule = JsonEncodedText.Encode("rule");
    private static readonly JsonEncodedText Detector = JsonEncodedText.Encode("detector");
    private static readonly JsonEncodedText Severity = JsonEncodedText.Encode("severity");
    private static readonly JsonEncodedText Message = JsonEncodedText.Encode("message");
    private static readonly JsonEncodedText Location = JsonEncodedText.Encode("location");
    private static readonly JsonEncodedText Evidence = JsonEncodedText.Encode("evidence");
    private static readonly JsonEncodedText Fingerprint = JsonEncodedText.Encode("fingerprint");
    private static readonly JsonEncodedText Properties = JsonEncodedText.Encode("properties");
    private static readonly JsonEncodedText Suppressed = JsonEncodedText.Encode("suppressed");
    private static readonly JsonEncodedText SuppressionReason = JsonEncodedText.Encode("suppressionReason");

    private static void WriteLocation(Utf8JsonWriter writer, in JsonLocation value)
    {
        writer.WriteStartObject();
        writer.WriteString(Path, value.Path);
        if (value.Line is int line) writer.WriteNumber(Line, line);
        else writer.WriteNull(Line);
        if (value.Column is int column) writer.WriteNumber(Column, column);
        else writer.WriteNull(Column);
        writer.WriteEndObject();
    }

    private static void WriteNullableString(Utf8JsonWriter writer, JsonEncodedText name, string? value)
    {
        if (value is null) writer.WriteNull(name);
        else writer.WriteString(name, value);
    }

    private sealed class LocationWriter : JsonConverter<JsonLocation>
    {
        public override JsonLocation Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("reports are read through the generated metadata");

        public override void Write(Utf8JsonWriter writer, JsonLocation value, JsonSerializerOptions options) => WriteLocation(writer, value);
    }

    private sealed class FindingWriter : JsonConverter<JsonFinding>
    {
        public override JsonFinding Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("reports are read through the generated metadata");

        public override void Write(Utf8JsonWriter writer, JsonFinding value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteString(RuleId, value.RuleId);
            writer.WriteString(Rule, value.Rule);
            writer.WriteString(Detector, value.Detector);
            writer.WriteString(Severity, value.Severity);
            writer.WriteString(Message, value.Message);
            writer.WritePropertyName(Location);
            WriteLocation(writer, value.Location);
            WriteNullableString(writer, Evidence, value.Evidence);
            writer.WriteString(Fingerprint, value.Fingerprint);
            writer.WritePropertyName(Properties);
            writer.WriteStartObject();
            foreach (var (key, text) in value.Properties) writer.WriteString(key, text);
            writer.WriteEndObject();
            writer.WriteBoolean(Suppressed, value.Suppressed);
            WriteNullableString(writer, SuppressionReason, value.SuppressionReason);
            writer.WriteEndObject();
        }
    }
}
