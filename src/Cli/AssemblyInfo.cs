[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Reasoner.Cli.Tests")]
