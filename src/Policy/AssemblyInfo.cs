[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Reasoner.Policy.Tests")]
