// InfoCommand.cs — `cortex info`: what this machine offers Cortex (vector width, threads).
using System.CommandLine;
using System.Runtime.Intrinsics;
using Cortex.Kernels;
using Spectre.Console;

namespace Cortex.Cli;

internal static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Show the runtime, vector width and thread count Cortex uses on this machine.");
        command.SetAction(_ =>
        {
            var table = new Table().AddColumns("what", "value");
            table.AddRow("runtime", Markup.Escape(System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription));
            table.AddRow("Vector512", Vector512.IsHardwareAccelerated.ToString());
            table.AddRow("Vector256", Vector256.IsHardwareAccelerated.ToString());
            table.AddRow("threads", Parallelism.MaxDegree.ToString(System.Globalization.CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }
}
