[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Reasoner.Actors.Tests")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("reasoner")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Reasoner.Cli.Tests")]
