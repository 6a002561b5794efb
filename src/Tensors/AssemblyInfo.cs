[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Reasoner.Tensors.Tests")]
[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Reasoner.Bench")]
