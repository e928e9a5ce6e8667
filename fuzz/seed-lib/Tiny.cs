namespace Tiny;
public static class Settings
{
    public const string Endpoint = "http://203.0.113.7/api";
    public static string Token() => "ghp_000000000000000000000000000000000000";
}
