using System.Diagnostics;
using Reasoner.Bench;

// Usage: dotnet run -c Release --project bench/Reasoner.Bench -- matmul [--threads N]
//        dotnet run -c Release --project bench/Reasoner.Bench -- pool [--threads N]   (the empty-For overhead alone)
//        dotnet run -c Release --project bench/Reasoner.Bench -- step [--threads N] [--model tiny|small|gpt2]
//          (a training step's time by kernel, for the three benchmark models)
// Without --threads, every figure is measured at 1 and at 2 threads, side by side.
if (args.Length == 0 || (args[0] != "matmul" && args[0] != "pool" && args[0] != "step"))
{
    Console.Error.WriteLine("usage: Reasoner.Bench matmul|pool|step [--threads N] [--model tiny|small|gpt2]");
    return 2;
}
int[] threadCounts = [1, 2];
int at = Array.IndexOf(args, "--threads");
if (at >= 0)
{
    if (at + 1 >= args.Length || !int.TryParse(args[at + 1], out int n) || n < 1)
    {
        Console.Error.WriteLine("--threads needs a positive integer");
        return 2;
    }
    threadCounts = [n];
}
Console.WriteLine($"Vector512 accelerated: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, cores: {Environment.ProcessorCount}");
var stopwatch = Stopwatch.StartNew();
int modelAt = Array.IndexOf(args, "--model");
if (args[0] == "step") StepBench.Run(threadCounts, modelAt >= 0 && modelAt + 1 < args.Length ? args[modelAt + 1] : null);
else
{
    if (args[0] == "matmul") MatmulBench.Run(threadCounts);
    ForOverheadBench.Run(threadCounts);
}
Console.WriteLine($"total {stopwatch.Elapsed.TotalSeconds:F0} s");
return 0;
