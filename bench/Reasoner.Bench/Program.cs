using System.Diagnostics;
using Reasoner.Bench;

// Usage: dotnet run -c Release --project bench/Reasoner.Bench -- matmul [--threads N]
//        dotnet run -c Release --project bench/Reasoner.Bench -- pool [--threads N]   (the empty-For overhead alone)
// Without --threads, every figure is measured at 1 and at 2 threads, side by side.
if (args.Length == 0 || (args[0] != "matmul" && args[0] != "pool"))
{
    Console.Error.WriteLine("usage: Reasoner.Bench matmul|pool [--threads N]");
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
if (args[0] == "matmul") MatmulBench.Run(threadCounts);
ForOverheadBench.Run(threadCounts);
Console.WriteLine($"total {stopwatch.Elapsed.TotalSeconds:F0} s");
return 0;
