[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Reasoner.Tensors.Tests")]
