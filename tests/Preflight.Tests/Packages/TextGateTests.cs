using System.Text;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Content;

namespace Preflight.Tests.Packages;

/// <summary>
/// Two per-entry checks were rewritten as vectorised searches: counting control bytes when deciding whether an entry
/// is text, and "contains any of these words, ignoring case" on whole texts. These tests hold each to the byte or
/// word loop it replaced, written out here, on generated inputs around the thresholds that matter.
/// </summary>
public class TextGateTests
{
    // TextDecoding.Detect as it was: a byte loop counts the control characters.
    private static Encoding? ReferenceDetect(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty) return Encoding.UTF8;
        if (bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF) return Encoding.UTF8;
        if (bytes.Length >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE) return Encoding.Unicode;
        if (bytes.Length >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF) return Encoding.BigEndianUnicode;
        var sample = bytes.Length > ContentSniffer.PrefixLength ? bytes[..ContentSniffer.PrefixLength] : bytes;
        if (sample.Contains((byte)0)) return null;
        int control = 0;
        foreach (byte b in sample)
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0c or 0x1b)) control++;
        if (control * 100 > sample.Length) return null;
        bool truncated = bytes.Length > sample.Length;
        bool valid = true;
        for (int i = 0; i < sample.Length;)
        {
            var status = Rune.DecodeFromUtf8(sample[i..], out _, out int consumed);
            if (status == System.Buffers.OperationStatus.InvalidData) { valid = false; break; }
            if (status == System.Buffers.OperationStatus.NeedMoreData) { valid = truncated; break; }
            i += consumed;
        }
        if (valid) return Encoding.UTF8;
        int printable = 0;
        foreach (byte b in sample)
            if (b >= 0x20 || b is (byte)'\t' or (byte)'\n' or (byte)'\r') printable++;
        return printable * 100 >= sample.Length * 95 ? Encoding.Latin1 : null;
    }

    private static string Kind(Encoding? e) => e switch { null => "binary", UTF8Encoding => "utf-8", UnicodeEncoding u => u.CodePage == 1201 ? "utf-16be" : "utf-16le", _ => e.WebName };

    [Test]
    public void Text_detection_matches_the_byte_loop_around_the_control_threshold()
    {
        var random = new Random(71);
        byte[] controls = [0x01, 0x02, 0x07, 0x08, 0x0b, 0x0e, 0x1f, 0x1b, 0x0c, 0x09, 0x0a, 0x0d];
        var kinds = new Dictionary<string, int>();
        for (int n = 0; n < 5_000; n++)
        {
            int length = random.Next(0, 3) switch { 0 => random.Next(1, 200), 1 => random.Next(200, 9_000), _ => random.Next(8_000, 20_000) };
            var bytes = new byte[length];
            double rate = random.NextDouble() * 0.03; // 0–3 % control bytes: either side of the 1 % line
            bool latin = random.Next(4) == 0;
            for (int i = 0; i < length; i++)
            {
                if (random.NextDouble() < rate) bytes[i] = controls[random.Next(controls.Length)];
                else if (latin && random.Next(20) == 0) bytes[i] = (byte)random.Next(0xA0, 0x100);
                else bytes[i] = (byte)random.Next(0x20, 0x7f);
            }
            var expected = Kind(ReferenceDetect(bytes));
            Kind(TextDecoding.Detect(bytes)).Should().Be(expected, "case {0} ({1} bytes)", n, length);
            kinds[expected] = kinds.GetValueOrDefault(expected) + 1;
        }
        kinds.Keys.Should().Contain(["utf-8", "binary", "iso-8859-1"], "the cases must reach every answer");
    }

    [Test]
    public void Word_gate_matches_the_word_by_word_contains()
    {
        string[] words = ["schedule", "cron", "sp_getapplock", "ScheduledTaskTrigger"];
        var gate = new AsciiWords(words);
        var random = new Random(72);
        string[] fillers = ["a", " ", "\n", "_", "=", "9", "é", "ſ", "\u212A", "İ", "ı"];
        int positives = 0;
        for (int n = 0; n < 20_000; n++)
        {
            var sb = new StringBuilder();
            bool ascii = random.Next(2) == 0;
            for (int i = random.Next(0, 12); i > 0; i--)
            {
                string piece = random.Next(4) == 0 ? words[random.Next(words.Length)] : fillers[random.Next(ascii ? 6 : fillers.Length)];
                if (piece.Length > 3 && random.Next(3) == 0) piece = piece[..random.Next(1, piece.Length)];
                foreach (var c in piece) sb.Append(random.Next(2) == 0 ? char.ToUpperInvariant(c) : c);
            }
            var text = sb.ToString();
            bool expected = words.Any(w => text.Contains(w, StringComparison.OrdinalIgnoreCase));
            gate.In(text).Should().Be(expected, "for \"{0}\"", text);
            if (expected) positives++;
        }
        positives.Should().BeInRange(2_000, 18_000);
    }

    [Test]
    public void Word_gate_refuses_words_it_cannot_search_exactly()
    {
        FluentActions.Invoking(() => new AsciiWords("zeitplän")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new AsciiWords()).Should().Throw<ArgumentException>();
    }
}
