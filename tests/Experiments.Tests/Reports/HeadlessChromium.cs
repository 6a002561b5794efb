using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Reasoner.Experiments.Tests.Reports;

/// <summary>What a page showed in the browser: the errors it logged, a screenshot, and the result of a script run on it.</summary>
/// <param name="Errors">Console errors, uncaught exceptions and the browser's own error log (a blocked or failed load).</param>
/// <param name="Screenshot">The whole page as PNG.</param>
/// <param name="Probe">The JSON value the probe script returned.</param>
internal sealed record PageVisit(IReadOnlyList<string> Errors, byte[] Screenshot, JsonNode? Probe);

/// <summary>
/// Debian's Chromium, headless, driven over the DevTools protocol (a WebSocket on a port it picks): opens a page, collects
/// what it logs as errors, runs a script and takes a screenshot. Root needs --no-sandbox; the network flags keep it from
/// calling out of this closed network (its refused connections would otherwise log errors of their own).
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly ConcurrentQueue<JsonObject> _events = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _receiving = Task.CompletedTask;
    private int _nextId;

    private HeadlessChromium(Process process, string profile) => (_process, _profile) = (process, profile);

    /// <summary>The browser's executable on PATH (chromium, as Debian installs it), or null where there is none.</summary>
    public static string? Find()
    {
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string name in new[] { "chromium", "chromium-browser" })
            {
                string path = Path.Combine(folder, name);
                if (File.Exists(path)) return path;
            }
        }
        return null;
    }

    public static async Task<HeadlessChromium> StartAsync(string executable)
    {
        string profile = Directory.CreateTempSubdirectory("reasoner-chromium-").FullName;
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--hide-scrollbars", $"--user-data-dir={profile}",
            "--remote-debugging-port=0", "--window-size=1280,1000", "about:blank",
        })
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start");
        // Its chatter (D-Bus is absent in containers) must be read, or a full pipe would stall it.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var browser = new HeadlessChromium(process, profile);
        try
        {
            await browser.ConnectAsync();
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
        return browser;
    }

    /// <summary>Chromium writes the port it chose and the browser's WebSocket path to DevToolsActivePort in its profile.</summary>
    private async Task ConnectAsync()
    {
        string portFile = Path.Combine(_profile, "DevToolsActivePort");
        var clock = Stopwatch.StartNew();
        string[] lines = [];
        while (lines.Length < 2)
        {
            if (_process.HasExited) throw new InvalidOperationException($"chromium exited with code {_process.ExitCode} before it listened");
            if (clock.Elapsed > Patience) throw new TimeoutException("chromium did not open its DevTools port within a minute");
            await Task.Delay(50);
            if (File.Exists(portFile)) lines = (await File.ReadAllLinesAsync(portFile)).Where(l => l.Length > 0).ToArray();
        }
        await _socket.ConnectAsync(new Uri($"ws://127.0.0.1:{lines[0]}{lines[1]}"), _stop.Token);
        _receiving = Task.Run(ReceiveAsync);
    }

    /// <summary>
    /// Opens <paramref name="url"/> in a fresh tab of <paramref name="width"/> CSS pixels, waits for its load event, runs
    /// <paramref name="probe"/> (an expression whose value is returned as JSON) and screenshots the page from its top,
    /// at most <paramref name="maxHeight"/> pixels of it (a long report's whole length takes seconds to render).
    /// </summary>
    public async Task<PageVisit> VisitAsync(string url, string probe, int width = 1280, int maxHeight = 4000)
    {
        var target = await SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" });
        var attached = await SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = target["targetId"]!.GetValue<string>(), ["flatten"] = true });
        string session = attached["sessionId"]!.GetValue<string>();
        foreach (string domain in new[] { "Runtime.enable", "Log.enable", "Page.enable" }) await SendAsync(domain, new JsonObject(), session);
        await SendAsync("Emulation.setDeviceMetricsOverride",
            new JsonObject { ["width"] = width, ["height"] = 1000, ["deviceScaleFactor"] = 1, ["mobile"] = false }, session);
        var loaded = WaitForEventAsync("Page.loadEventFired", session);
        await SendAsync("Page.navigate", new JsonObject { ["url"] = url }, session);
        await loaded;

        var evaluated = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = probe, ["returnByValue"] = true }, session);
        if (evaluated["exceptionDetails"] is { } exception) throw new InvalidOperationException($"the probe failed: {exception.ToJsonString()}");
        JsonNode? value = evaluated["result"]?["value"]?.DeepClone();

        var metrics = await SendAsync("Page.getLayoutMetrics", new JsonObject(), session);
        var size = metrics["cssContentSize"]!;
        var shot = await SendAsync("Page.captureScreenshot", new JsonObject
        {
            ["format"] = "png",
            ["captureBeyondViewport"] = true,
            ["clip"] = new JsonObject
            {
                ["x"] = 0, ["y"] = 0, ["scale"] = 1,
                ["width"] = size["width"]!.GetValue<double>(), ["height"] = Math.Min(maxHeight, size["height"]!.GetValue<double>()),
            },
        }, session);
        var errors = _events.Where(e => (string?)e["sessionId"] == session).Select(ErrorOf).OfType<string>().ToList();
        await SendAsync("Target.closeTarget", new JsonObject { ["targetId"] = target["targetId"]!.GetValue<string>() });
        return new PageVisit(errors, Convert.FromBase64String(shot["data"]!.GetValue<string>()), value);
    }

    /// <summary>The event as an error message, or null when it is not one.</summary>
    private static string? ErrorOf(JsonObject message)
    {
        var parameters = message["params"];
        return (string?)message["method"] switch
        {
            "Runtime.exceptionThrown" => $"exception: {parameters?["exceptionDetails"]?.ToJsonString()}",
            "Runtime.consoleAPICalled" when (string?)parameters?["type"] is "error" or "assert" => $"console.{parameters!["type"]}: {parameters["args"]?.ToJsonString()}",
            "Log.entryAdded" when (string?)parameters?["entry"]?["level"] == "error" => $"log: {parameters!["entry"]!["text"]} ({parameters["entry"]!["url"]})",
            _ => null,
        };
    }

    private async Task<JsonObject> SendAsync(string method, JsonObject parameters, string? session = null)
    {
        int id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
        if (session is not null) message["sessionId"] = session;
        await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, _stop.Token);
        var answer = await reply.Task.WaitAsync(Patience);
        if (answer["error"] is { } error) throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
        return answer["result"]?.AsObject() ?? [];
    }

    private async Task WaitForEventAsync(string method, string session)
    {
        var clock = Stopwatch.StartNew();
        while (!_events.Any(e => (string?)e["method"] == method && (string?)e["sessionId"] == session))
        {
            if (clock.Elapsed > Patience) throw new TimeoutException($"no {method} within a minute");
            await Task.Delay(20);
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[1 << 16];
        using var message = new MemoryStream();
        while (_socket.State == WebSocketState.Open && !_stop.IsCancellationRequested)
        {
            WebSocketReceiveResult received;
            try
            {
                received = await _socket.ReceiveAsync(buffer, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (WebSocketException) when (_stop.IsCancellationRequested || _process.HasExited)
            {
                return;
            }
            if (received.MessageType == WebSocketMessageType.Close) return;
            message.Write(buffer, 0, received.Count);
            if (!received.EndOfMessage) continue;
            var json = JsonNode.Parse(message.ToArray())!.AsObject();
            message.SetLength(0);
            if (json["id"] is { } id && _pending.TryRemove(id.GetValue<int>(), out var reply)) reply.SetResult(json);
            else if (json["method"] is not null) _events.Enqueue(json);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        await _receiving;
        _socket.Dispose();
        _process.Dispose();
        _stop.Dispose();
        Directory.Delete(_profile, recursive: true);
    }
}

/// <summary>The pixels of a PNG as Chromium writes screenshots: 8-bit RGB or RGBA, not interlaced (what the test needs, no more).</summary>
internal sealed record PngImage(int Width, int Height, byte[] Rgb)
{
    public static PngImage Decode(byte[] png)
    {
        if (!png.AsSpan(0, 8).SequenceEqual(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 })) throw new InvalidDataException("not a PNG");
        int width = 0, height = 0, channels = 0;
        using var compressed = new MemoryStream();
        for (int at = 8; at < png.Length;)
        {
            int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            string type = Encoding.ASCII.GetString(png, at + 4, 4);
            var data = png.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(data);
                height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                if (data[8] != 8 || data[12] != 0) throw new InvalidDataException($"bit depth {data[8]}, interlace {data[12]}: not supported");
                channels = data[9] switch { 2 => 3, 6 => 4, var other => throw new InvalidDataException($"colour type {other}: not supported") };
            }
            else if (type == "IDAT")
            {
                compressed.Write(data);
            }
            at += 12 + length;
        }
        compressed.Position = 0;
        using var inflated = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(compressed, System.IO.Compression.CompressionMode.Decompress)) zlib.CopyTo(inflated);
        var raw = inflated.ToArray();
        int stride = width * channels;
        var pixels = new byte[height * stride];
        for (int y = 0; y < height; y++)
        {
            byte filter = raw[y * (stride + 1)];
            for (int x = 0; x < stride; x++)
            {
                int left = x >= channels ? pixels[y * stride + x - channels] : 0;
                int up = y > 0 ? pixels[(y - 1) * stride + x] : 0;
                int upLeft = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
                int value = raw[y * (stride + 1) + 1 + x];
                pixels[y * stride + x] = (byte)(filter switch
                {
                    0 => value,
                    1 => value + left,
                    2 => value + up,
                    3 => value + (left + up) / 2,
                    4 => value + Paeth(left, up, upLeft),
                    _ => throw new InvalidDataException($"row {y}: filter {filter}"),
                });
            }
        }
        var rgb = new byte[width * height * 3];
        for (int i = 0; i < width * height; i++) Array.Copy(pixels, i * channels, rgb, i * 3, 3);
        return new PngImage(width, height, rgb);
    }

    /// <summary>Pixels of exactly this colour.</summary>
    public int Count(byte r, byte g, byte b)
    {
        int count = 0;
        for (int i = 0; i < Rgb.Length; i += 3) count += Rgb[i] == r && Rgb[i + 1] == g && Rgb[i + 2] == b ? 1 : 0;
        return count;
    }

    /// <summary>Pixels darker than near-white (text, lines, markers).</summary>
    public int Inked()
    {
        int count = 0;
        for (int i = 0; i < Rgb.Length; i += 3) count += Rgb[i] + Rgb[i + 1] + Rgb[i + 2] < 600 ? 1 : 0;
        return count;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
