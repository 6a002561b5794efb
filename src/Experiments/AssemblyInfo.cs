[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Reasoner.Experiments.Tests")]
