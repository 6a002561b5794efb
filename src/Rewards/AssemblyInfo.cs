[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("Reasoner.Rewards.Tests")]
