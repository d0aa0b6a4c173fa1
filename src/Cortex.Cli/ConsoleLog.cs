// ConsoleLog.cs — an IProgress<string> that prints each message at once, in grey, on the
// command's console (Progress<T> would post to the thread pool and could print out of order).
using Spectre.Console;

namespace Cortex.Cli;

internal sealed class ConsoleLog(IAnsiConsole console) : IProgress<string>
{
    public void Report(string value) => console.MarkupLine($"[grey]{Markup.Escape(value)}[/]");
}
