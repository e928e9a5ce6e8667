using FluentAssertions;
using NUnit.Framework;
using Preflight.Detectors.ServiceUnits;

namespace Preflight.Tests.Detectors.ServiceUnits;

public class UnitFileTests
{
    [Test]
    public void Continuation_lines_join_with_a_space_and_skip_comment_lines_inside()
    {
        var unit = UnitFile.Parse("a.service", """
            [Unit]
            After=network.target \
            # a comment inside the continuation is dropped
                  b.service \
                  c.service
            Description=demo
            """);
        unit.List("Unit", "After").Select(v => v.Value).Should().Equal("network.target", "b.service", "c.service");
        unit.List("Unit", "After")[0].From.Line.Should().Be(2);
        unit.Last("Unit", "Description")!.Value.Should().Be("demo");
        unit.Errors.Should().BeEmpty();
    }

    [Test]
    public void Repeated_list_keys_accumulate_and_an_empty_assignment_resets_them()
    {
        var unit = UnitFile.Parse("a.service", """
            [Install]
            Alias=one.service two.service
            Alias=three.service
            Alias=
            Alias=four.service
            ; semicolon comments too
            """);
        unit.List("Install", "Alias").Select(v => v.Value).Should().Equal("four.service");
    }

    [Test]
    public void Dependency_lists_are_not_reset_by_an_empty_assignment()
    {
        var unit = UnitFile.Parse("a.service", "[Unit]\nWants=one.service\nWants=\nWants=two.service\n");
        unit.List("Unit", "Wants", emptyResets: false).Select(v => v.Value).Should().Equal("one.service", "two.service");
    }

    [Test]
    public void A_drop_in_merges_after_the_unit_and_adds_to_its_dependencies()
    {
        var unit = UnitFile.Parse("lib/systemd/system/a.service", """
            [Unit]
            Requires=old.service
            [Service]
            ExecStart=/bin/a
            """);
        unit.Merge("etc/systemd/system/a.service.d/override.conf", """
            [Unit]
            Requires=
            Requires=new.service
            [Service]
            ExecStart=
            ExecStart=/bin/a --fast
            """);
        var requires = unit.List("Unit", "Requires", emptyResets: false);
        requires.Select(r => r.Value).Should().Equal("old.service", "new.service");
        requires[1].From.Source.Should().Be("etc/systemd/system/a.service.d/override.conf");
        unit.Last("Service", "ExecStart")!.Value.Should().Be("/bin/a --fast");
    }

    [Test]
    public void Lines_systemd_ignores_are_errors_with_their_line()
    {
        var unit = UnitFile.Parse("a.service", "Key=outside\n[Unit\n[Unit]\nnot an assignment\nGood=1\n");
        unit.Errors.Select(e => e.Line).Should().Equal(1, 2, 4);
        unit.Last("Unit", "Good")!.Value.Should().Be("1");
    }

    [TestCase("%n", "foo@bar.service", "foo@bar.service")]
    [TestCase("%p-helper.service", "foo@bar.service", "foo-helper.service")]
    [TestCase("worker@%i.service", "foo@bar.service", "worker@bar.service")]
    [TestCase("%N.socket", "foo@bar.service", "foo@bar.socket")]
    [TestCase("%j.target", "acme-db-migrate.service", "migrate.target")]
    [TestCase("worker@%i.service", "foo@.service", null)]
    [TestCase("100%%", "a.service", "100%")]
    public void Specifiers_resolve_for_names(string text, string unit, string? expected) =>
        UnitNames.ResolveSpecifiers(text, unit).Should().Be(expected);

    [TestCase("foo@bar.service", "foo@.service")]
    [TestCase("foo@.service", null)]
    [TestCase("foo.service", null)]
    public void An_instance_knows_its_template(string name, string? template) =>
        UnitNames.TemplateOf(name).Should().Be(template);
}
