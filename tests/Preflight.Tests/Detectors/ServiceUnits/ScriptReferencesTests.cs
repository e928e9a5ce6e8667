using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors.ServiceUnits;

namespace Preflight.Tests.Detectors.ServiceUnits;

public class ScriptReferencesTests
{
    [TestCase("systemctl restart acme.service", "acme.service", "systemctl restart")]
    [TestCase("sudo systemctl --no-block try-restart acme", "acme.service", "systemctl try-restart")]
    [TestCase("/bin/systemctl enable --now acme-worker.timer", "acme-worker.timer", "systemctl enable")]
    [TestCase("if systemctl is-active -q acme.service; then echo up; fi", "acme.service", "systemctl is-active")]
    [TestCase("deb-systemd-invoke restart 'acme.service' >/dev/null || true", "acme.service", "deb-systemd-invoke restart")]
    [TestCase("deb-systemd-helper unmask acme.service", "acme.service", "deb-systemd-helper unmask")]
    [TestCase("service acme restart", "acme", "service")]
    [TestCase("invoke-rc.d acme stop || exit 1", "acme", "invoke-rc.d")]
    [TestCase("update-rc.d -f acme remove", "acme", "update-rc.d")]
    [TestCase("sc.exe stop AcmeAgent", "AcmeAgent", "sc.exe stop")]
    [TestCase("sc \\\\server config AcmeAgent start= auto", "AcmeAgent", "sc.exe config")]
    [TestCase("net stop \"AcmeAgent\"", "AcmeAgent", "net stop")]
    [TestCase("Restart-Service -Name 'AcmeAgent' -Force", "AcmeAgent", "Restart-Service")]
    [TestCase("Stop-Service AcmeAgent -ErrorAction Stop", "AcmeAgent", "Stop-Service")]
    public void Finds_the_service_a_command_names(string line, string name, string command)
    {
        var found = ScriptReferences.Find(line);
        found.Should().ContainSingle();
        found[0].Name.Should().Be(name);
        found[0].Command.Should().Be(command);
    }

    [TestCase("systemctl daemon-reload")]
    [TestCase("systemctl restart \"$UNIT\"")]
    [TestCase("# systemctl restart acme.service")]
    [TestCase("echo use systemctl to restart")]
    [TestCase("service --status-all")]
    [TestCase("Get-Service | Where-Object Status -eq Running")]
    public void Ignores_commands_without_a_literal_service_name(string line) =>
        ScriptReferences.Find(line).Should().BeEmpty();

    [Test]
    public void Several_units_on_one_command_and_several_commands_on_one_line()
    {
        var found = ScriptReferences.Find("systemctl stop a.service b.timer && systemctl start c");
        found.Select(f => f.Name).Should().Equal("a.service", "b.timer", "c.service");
        found.Select(f => f.Column).Should().Equal(16, 26, 53);
    }

    [Test]
    public void Creating_a_windows_service_is_marked()
    {
        var found = ScriptReferences.Find("New-Service -Name \"AcmeAgent\" -BinaryPathName C:\\acme.exe\nsc.exe create Other binPath= C:\\o.exe");
        found.Should().HaveCount(2).And.OnlyContain(f => f.Creates);
        found.Select(f => f.Line).Should().Equal(1, 2);
    }
}
