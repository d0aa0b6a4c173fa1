// CliConsole.cs — how commands reach the user: a Spectre console on the real terminal, a plain
// one over any other writer (tests, redirection), and one place that turns the errors a user can
// cause (bad option, missing or corrupt file, diverged training) into a message and exit code 1.
using System.CommandLine;
using Cortex.Training;
using Spectre.Console;

namespace Cortex.Cli;

internal static class CliConsole
{
    /// <summary>The console for <paramref name="result"/>'s output writer.</summary>
    public static IAnsiConsole For(ParseResult result)
    {
        var output = result.InvocationConfiguration.Output;
        if (!ReferenceEquals(output, Console.Out))
            return Plain(output);
        if (Console.IsOutputRedirected)
            AnsiConsole.Console.Profile.Width = 160;      // a log file has no width: don't wrap at 80
        return AnsiConsole.Console;
    }

    /// <summary>A console without colour or terminal tricks, writing to <paramref name="writer"/>.</summary>
    public static IAnsiConsole Plain(TextWriter writer, int width = 120)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = width;
        return console;
    }

    /// <summary>Runs <paramref name="body"/>; a user-caused error prints <c>error: …</c> on the error writer and returns 1.</summary>
    public static int Guard(ParseResult result, Func<IAnsiConsole, int> body)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            return body(For(result));
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IOException or InvalidDataException
                                      or TrainingDivergedException or UnauthorizedAccessException or NotSupportedException)
        {
            result.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
