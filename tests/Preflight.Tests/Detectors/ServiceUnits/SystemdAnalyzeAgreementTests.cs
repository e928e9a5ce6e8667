using System.Diagnostics;
using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors.ServiceUnits;

namespace Preflight.Tests.Detectors.ServiceUnits;

/// <summary>
/// Runs the real <c>systemd-analyze verify --man=no</c> (Debian's systemd package) on unit files and checks
/// that our parser agrees on which <c>Requires=</c>/<c>BindsTo=</c> targets exist. systemd stops at the
/// first missing one, so the check is: no complaint when we find none missing, and the name it complains
/// about is one we found missing.
/// </summary>
[Category("Tools")]
public class SystemdAnalyzeAgreementTests
{
    private const string Tool = "/usr/bin/systemd-analyze";

    // Every case writes these files; names are made up so that nothing on the machine provides them.
    private static readonly Dictionary<string, string> Present = new()
    {
        ["pfx-present-a.service"] = "[Unit]\nDescription=a\n[Service]\nExecStart=/bin/true\n",
        ["pfx-spec-b-helper.service"] = "[Unit]\nDescription=helper\n[Service]\nExecStart=/bin/true\n",
    };

    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData("pfx-continued.service", "[Unit]\nRequires=pfx-present-a.service \\\n  pfx-missing-x.service\n[Service]\nExecStart=/bin/true\n")
            .SetName("continuation line carries a missing target");
        yield return new TestCaseData("pfx-reset.service", "[Unit]\nRequires=pfx-missing-y.service\nRequires=\nRequires=pfx-present-a.service\n[Service]\nExecStart=/bin/true\n")
            .SetName("empty assignment does not reset a dependency list");
        yield return new TestCaseData("pfx-spec-a.service", "[Unit]\nBindsTo=%p-helper.service\n[Service]\nExecStart=/bin/true\n")
            .SetName("specifier names a missing helper");
        yield return new TestCaseData("pfx-spec-b.service", "[Unit]\nBindsTo=%p-helper.service\n[Service]\nExecStart=/bin/true\n")
            .SetName("specifier names a present helper");
        yield return new TestCaseData("pfx-comment.service", "[Unit]\nRequires=pfx-present-a.service \\\n# pfx-missing-in-comment.service\n  pfx-missing-z.service\n[Service]\nExecStart=/bin/true\n")
            .SetName("comment inside a continuation is skipped");
        yield return new TestCaseData("pfx-wants.service", "[Unit]\nWants=pfx-missing-w.service\nRequires=pfx-present-a.service\n[Service]\nExecStart=/bin/true\n")
            .SetName("a missing Wants target is not a missing requirement");
        yield return new TestCaseData("pfx-sections.service", "[Unit]\nDescription=x\n\n[Install]\nRequires=pfx-not-in-unit-section.service\n[Service]\nExecStart=/bin/true\n")
            .SetName("Requires outside the Unit section is no dependency");
    }

    [TestCaseSource(nameof(Cases))]
    public void Parser_agrees_with_systemd_analyze_on_missing_requirements(string name, string text)
    {
        if (!File.Exists(Tool)) Assert.Ignore($"{Tool} is not installed (Debian package systemd); .ci/run installs it");
        var dir = Directory.CreateTempSubdirectory("pf-units-");
        try
        {
            foreach (var (file, content) in Present) File.WriteAllText(Path.Combine(dir.FullName, file), content);
            File.WriteAllText(Path.Combine(dir.FullName, name), text);

            var unit = UnitFile.Parse(name, text);
            var missing = new[] { "Requires", "BindsTo" }
                .SelectMany(k => unit.List("Unit", k, emptyResets: false))
                .Select(v => UnitNames.ResolveSpecifiers(v.Value, name))
                .OfType<string>()
                .Where(t => !Present.ContainsKey(t))
                .ToHashSet(StringComparer.Ordinal);

            var output = Verify(dir.FullName, [name, .. Present.Keys]);
            var complaint = System.Text.RegularExpressions.Regex.Match(output, @"Unit (\S+) not found", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
            if (missing.Count == 0)
                complaint.Success.Should().BeFalse($"we found no missing requirement but systemd-analyze said: {output}");
            else
            {
                complaint.Success.Should().BeTrue($"we found {string.Join(", ", missing)} missing but systemd-analyze said: {output}");
                missing.Should().Contain(complaint.Groups[1].Value);
            }
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static string Verify(string dir, IEnumerable<string> files)
    {
        var start = new ProcessStartInfo(Tool) { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = dir };
        start.ArgumentList.Add("verify");
        start.ArgumentList.Add("--man=no");
        foreach (var f in files) start.ArgumentList.Add(Path.Combine(dir, f));
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(60_000)) { process.Kill(); Assert.Fail("systemd-analyze did not finish in 60 s"); }
        return stdout + stderr.Result;
    }
}
