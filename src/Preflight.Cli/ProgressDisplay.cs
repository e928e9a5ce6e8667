using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Preflight.Cli;

/// <summary>
/// The scan's progress on standard error, for people at a terminal: entries and bytes read and the detector at
/// work, redrawn in place and cleared when the scan ends. It appears only for scans that take longer than
/// <see cref="CliConsole.ProgressDelay"/>, only when standard error is a terminal, never with <c>--quiet</c>;
/// standard output carries nothing but the report in every case.
/// </summary>
internal sealed class ProgressDisplay : IProgress<ScanProgress>
{
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(100);
    private readonly IAnsiConsole _terminal;
    private readonly TimeSpan _delay;
    private ScanProgress? _latest;

    private ProgressDisplay(IAnsiConsole terminal, TimeSpan delay)
    {
        _terminal = terminal;
        _delay = delay;
    }

    /// <summary>A display on the console's standard error, or null when none may be shown.</summary>
    public static ProgressDisplay? Create(CliConsole console, bool quiet)
    {
        if (quiet || !console.ErrorIsTerminal) return null;
        var terminal = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(console.Error),
            Interactive = InteractionSupport.Yes,
            Ansi = AnsiSupport.Detect,
            ColorSystem = console.NoColorRequested ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect,
        });
        return new ProgressDisplay(terminal, console.ProgressDelay);
    }

    /// <inheritdoc />
    public void Report(ScanProgress value) => Volatile.Write(ref _latest, value);

    /// <summary>Runs <paramref name="scan"/>, drawing its progress once it has taken longer than the delay.</summary>
    public async Task<T> RunAsync<T>(Task<T> scan)
    {
        if (_delay > TimeSpan.Zero)
        {
            await Task.WhenAny(scan, Task.Delay(_delay)).ConfigureAwait(false);
            if (scan.IsCompleted) return await scan.ConfigureAwait(false);
        }
        var live = new LiveDisplay(_terminal, Render()) { AutoClear = true };
        await live.StartAsync(async context =>
        {
            while (!scan.IsCompleted)
            {
                context.UpdateTarget(Render());
                context.Refresh();
                await Task.WhenAny(scan, Task.Delay(Refresh)).ConfigureAwait(false);
            }
            context.UpdateTarget(Render());
            context.Refresh();
        }).ConfigureAwait(false);
        return await scan.ConfigureAwait(false);
    }

    private IRenderable Render() => new Text(Describe(Volatile.Read(ref _latest)));

    /// <summary>The one line shown: <c>preflight: 1,204 entries, 38.2 MiB read · credentials · lib/app.dll</c>.</summary>
    internal static string Describe(ScanProgress? progress)
    {
        if (progress is null) return "preflight: opening the package…";
        var line = new System.Text.StringBuilder("preflight: ");
        if (progress.IsBaseline) line.Append("baseline: ");
        line.Append(progress.EntriesRead.ToString("N0", CultureInfo.InvariantCulture))
            .Append(progress.EntriesRead == 1 ? " entry, " : " entries, ")
            .Append(Bytes(progress.BytesRead)).Append(" read");
        if (progress.Completed) line.Append(", done");
        else
        {
            if (progress.CurrentDetector is { } detector) line.Append(" · ").Append(detector);
            if (progress.CurrentEntry is { } entry) line.Append(" · ").Append(entry);
        }
        return line.ToString();
    }

    private static string Bytes(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024 * 1024):0.00} GiB"),
    };
}
