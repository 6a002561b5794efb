[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Reasoner.Search.Tests")]
