[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Reasoner.Actors.Tests")]
