using System.Diagnostics;
using System.Threading.Channels;
using Reasoner.Cli.Commands;

namespace Reasoner.Cli.Tests.Commands;

/// <summary>
/// The <c>reasoner</c> command as a child process, for the tests that kill one: its standard error is read line by line as
/// it comes, so a test can wait for a line (a phase reached) and act on it.
/// </summary>
internal sealed class ReasonerProcess : IDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _seen = [];
    private readonly Task<string> _output;
    private readonly Task _errorPump;

    private ReasonerProcess(Process process)
    {
        _process = process;
        _output = process.StandardOutput.ReadToEndAsync();
        _errorPump = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line) _lines.Writer.TryWrite(line);
            _lines.Writer.TryComplete();
        });
    }

    public static ReasonerProcess Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(RunCommand).Assembly.Location);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return new ReasonerProcess(Process.Start(start)!);
    }

    public int Id => _process.Id;

    /// <summary>Every line of standard error read so far.</summary>
    public string Error
    {
        get
        {
            while (_lines.Reader.TryRead(out var line)) _seen.Add(line);
            return string.Join('\n', _seen);
        }
    }

    /// <summary>Reads standard error until a line matches; throws if the process ends or <paramref name="timeout"/> passes first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (await _lines.Reader.WaitToReadAsync(cancel.Token))
                while (_lines.Reader.TryRead(out var line))
                {
                    _seen.Add(line);
                    if (match(line)) return line;
                }
        }
        catch (OperationCanceledException)
        {
        }
        throw new TimeoutException($"no such line from reasoner within {timeout.TotalSeconds:0} s; its standard error so far:\n{Error}");
    }

    /// <summary>SIGKILL: the process gets no chance to clean up, as when a machine dies.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public async Task<(int Code, string Output)> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        await _errorPump;
        return (_process.ExitCode, await _output);
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }
}
