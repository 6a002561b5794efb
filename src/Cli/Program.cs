using System.CommandLine;
using Reasoner.Cli;
using Reasoner.Cli.Commands;

// The `reasoner` command: thin wiring of System.CommandLine to the library projects.
// Each command lives in its own file under Commands/ and is added here.
var root = new RootCommand("Reasoner: System-2 reasoning and self-improvement of small transformer language models.");
foreach (var command in CommandCatalog.All())
{
    root.Subcommands.Add(command);
}
return await Cli.RunAsync(root, args);
