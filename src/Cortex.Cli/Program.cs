// Program.cs — the `cortex` command: one sub-command per file, registered here.
using System.CommandLine;
using Cortex.Cli;

var root = new RootCommand("Cortex: convolutional neural networks for .NET.");
foreach (var command in CommandCatalog.All())
    root.Subcommands.Add(command);
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
