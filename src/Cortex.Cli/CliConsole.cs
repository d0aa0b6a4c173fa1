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

    /// <summary>Writes "warning: …" in yellow (plain on a plain console).</summary>
    public static void Warn(IAnsiConsole console, string message)
    {
        ArgumentNullException.ThrowIfNull(console);
        if (!console.Profile.Capabilities.Ansi)
        {
            console.Profile.Out.Writer.WriteLine($"warning: {message}");   // a log or pipe: one line, never wrapped at the console's width
            return;
        }
        console.MarkupLine($"[yellow]warning: {Markup.Escape(message)}[/]");
    }

    /// <summary>The environment variable that lets an unexpected exception through with its stack trace (for bug reports).</summary>
    public const string DebugVariable = "CORTEX_DEBUG";

    /// <summary>
    /// Runs <paramref name="body"/>; a user-caused error prints <c>error: …</c> (one line) on the error writer and
    /// returns 1. Any other exception is a bug, but the user still gets one line, not a stack trace, unless
    /// CORTEX_DEBUG=1 is set.
    /// </summary>
    public static int Guard(ParseResult result, Func<IAnsiConsole, int> body)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            return body(For(result));
        }
        catch (Exception e) when (IsUserError(e))
        {
            result.InvocationConfiguration.Error.WriteLine($"error: {OneLine(e)}");
            return 1;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable(DebugVariable) != "1")
        {
            result.InvocationConfiguration.Error.WriteLine(
                $"error: {OneLine(e)} (an unexpected failure inside Cortex; run again with {DebugVariable}=1 to see where, and report it)");
            return 1;
        }
    }

    /// <summary>The errors a user can cause with an option or a file.</summary>
    public static bool IsUserError(Exception e) =>
        e is ArgumentException or FormatException or IOException or InvalidDataException or System.Text.Json.JsonException
            or TrainingDivergedException or UnauthorizedAccessException or NotSupportedException or KeyNotFoundException;

    /// <summary>
    /// The message alone, on one line: without .NET's " (Parameter 'x')" and "Actual value was" tails and
    /// with an out-of-memory failure said plainly.
    /// </summary>
    public static string OneLine(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e is OutOfMemoryException)
            return "out of memory. Use a smaller model, batch size or data set, or lower the limits (see `cortex <command> --help`, --max-*).";
        string message = e.Message;
        if (e is ArgumentException { ParamName: { } name })
            message = message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal);
        int newline = message.IndexOfAny(['\r', '\n']);
        if (newline >= 0)
            message = message[..newline];
        return message.Trim();
    }
}
