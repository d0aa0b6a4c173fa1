using System.CommandLine;
using System.Globalization;

namespace Cortex.Cli.Tests;

/// <summary>Runs the real `cortex` root command in-process and captures what it prints.</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Output, string Error) Run(params string[] args)
    {
        var root = new RootCommand("test");
        foreach (var command in CommandCatalog.All())
            root.Subcommands.Add(command);
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        int exitCode = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }

    public static string LastLine(string text) => text.TrimEnd().Split('\n')[^1].TrimEnd('\r');
}
