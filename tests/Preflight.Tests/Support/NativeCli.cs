using NUnit.Framework;

namespace Preflight.Tests.Support;

/// <summary>
/// The native build of the CLI (<c>dotnet publish src/Preflight.Cli -c Release -r linux-x64 -p:PublishAot=true</c>):
/// trimmed and compiled ahead of time, so reflection or run-time code generation that works in the managed tool may
/// fail in it. Tests that run it carry <c>[Category("NativeAot")]</c> and call <see cref="Require"/>, which reads the
/// executable's path from <c>PREFLIGHT_NATIVE_CLI</c>. Where it is not set (a user's clone: the build needs clang)
/// the test is ignored with the reason; where <c>PREFLIGHT_REQUIRE_NATIVE=1</c> (CI, whose .ci/run publishes it) it
/// fails instead.
/// </summary>
public static class NativeCli
{
    /// <summary>The NUnit category of tests that run the native build.</summary>
    public const string Category = "NativeAot";

    /// <summary>The environment variable naming the native executable.</summary>
    public const string Variable = "PREFLIGHT_NATIVE_CLI";

    /// <summary>The native executable's full path; ignores or fails the test when there is none.</summary>
    public static string Require()
    {
        var path = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(path) && File.Exists(path)) return Path.GetFullPath(path);
        string reason = string.IsNullOrEmpty(path)
            ? $"no native build to run: {Variable} names the executable that `dotnet publish src/Preflight.Cli -c Release -r linux-x64 -p:PublishAot=true` writes (.ci/run makes it)"
            : $"{Variable}={path}: no such file";
        if (Environment.GetEnvironmentVariable("PREFLIGHT_REQUIRE_NATIVE") == "1")
            Assert.Fail(reason);
        Assert.Ignore(reason);
        return path!;
    }
}
