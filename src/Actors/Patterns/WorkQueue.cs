using Reasoner.Actors.Runtime;

namespace Reasoner.Actors.Patterns;

/// <summary>
/// Hands items to supervised worker children one at a time and collects one result per item: the shape of
/// the search workers' loop, where "kill a worker mid-search" must lose no problem and count none twice.
/// A worker whose item throws reports the item back from PreRestart (the message that failed it), so the
/// item is queued again; a worker stopped for good hands its item back through death watch. An item is
/// done once, when a worker returns its result, so it can run more than once but is counted exactly once:
/// the work function must be safe to retry after it threw.
/// Ask with <see cref="Run"/>; the reply is <see cref="Completed"/>, or a <see cref="Status.Failure"/> when
/// every worker has stopped with items left.
/// </summary>
internal sealed class WorkQueue<TItem, TResult> : ReceiveActor
{
    private readonly Func<int, TItem, ValueTask<TResult>> _work;
    private readonly WorkQueueOptions _options;
    private readonly HashSet<IActorRef> _workers = [];
    private readonly Queue<IActorRef> _idle = new();
    private readonly Dictionary<IActorRef, int> _inFlight = [];
    private readonly Queue<int> _queued = new();
    private IReadOnlyList<TItem> _items = [];
    private TResult[] _results = [];
    private bool[] _done = [];
    private int _remaining;
    private int _failedAttempts;
    private IActorRef? _requester;

    public WorkQueue(Func<TItem, ValueTask<TResult>> work, WorkQueueOptions options)
        : this((_, item) => work(item), options)
    {
    }

    /// <summary>The work function also gets the index (0 to Workers - 1) of the worker running it, e.g. for provenance.</summary>
    public WorkQueue(Func<int, TItem, ValueTask<TResult>> work, WorkQueueOptions options)
    {
        if (options.Workers < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Workers, "Workers must be >= 1.");
        _work = work;
        _options = options;

        Receive<Run>(OnRun);
        Receive<WorkerReady>(_ => { _idle.Enqueue(Sender); Dispatch(); });
        Receive<ItemDone>(OnItemDone);
        Receive<ItemFailed>(failed =>
        {
            _inFlight.Remove(Sender);
            _queued.Enqueue(failed.Index);
            _failedAttempts++;
            Dispatch();
        });
        Receive<Terminated>(OnWorkerTerminated);
    }

    /// <summary>Processes every item; replies <see cref="Completed"/>. One run at a time.</summary>
    public sealed record Run(IReadOnlyList<TItem> Items);

    /// <summary><paramref name="Results"/>[i] is the result of item i; <paramref name="FailedAttempts"/> counts
    /// the attempts that threw and were retried.</summary>
    public sealed record Completed(IReadOnlyList<TResult> Results, int FailedAttempts);

    private sealed record Assign(int Index, TItem Item);

    private sealed record ItemDone(int Index, TResult Result);

    private sealed record ItemFailed(int Index, Exception Reason);

    private sealed record WorkerReady;

    protected override void PreStart()
    {
        for (var i = 0; i < _options.Workers; i++)
        {
            var index = i;
            _workers.Add(Context.Watch(Context.ActorOf(Props.Create(() => new Worker(index, _work)), $"worker{i}")));
        }
    }

    protected override OneForOneStrategy SupervisorStrategy() => _options.Supervision;

    private void OnRun(Run run)
    {
        if (_requester is not null)
        {
            Sender.Tell(new Status.Failure(new InvalidOperationException($"{Self.Path} is already running a batch of work.")), Self);
            return;
        }
        _items = run.Items;
        _results = new TResult[run.Items.Count];
        _done = new bool[run.Items.Count];
        _remaining = run.Items.Count;
        _failedAttempts = 0;
        for (var i = 0; i < run.Items.Count; i++) _queued.Enqueue(i);
        _requester = Sender;
        Dispatch();
    }

    private void OnItemDone(ItemDone done)
    {
        _inFlight.Remove(Sender);
        if (_done[done.Index]) throw new InvalidOperationException($"Item {done.Index} was completed twice.");
        _done[done.Index] = true;
        _results[done.Index] = done.Result;
        _remaining--;
        _idle.Enqueue(Sender);
        Dispatch();
    }

    private void OnWorkerTerminated(Terminated terminated)
    {
        _workers.Remove(terminated.ActorRef);
        if (_inFlight.Remove(terminated.ActorRef, out var index)) _queued.Enqueue(index);
        Dispatch();
    }

    private void Dispatch()
    {
        while (_queued.Count > 0 && _idle.TryDequeue(out var worker))
        {
            if (!_workers.Contains(worker)) continue; // stopped since it became idle
            var index = _queued.Dequeue();
            _inFlight[worker] = index;
            worker.Tell(new Assign(index, _items[index]), Self);
        }
        if (_requester is null) return;
        if (_remaining == 0)
        {
            _requester.Tell(new Completed(_results, _failedAttempts), Self);
            _requester = null;
        }
        else if (_workers.Count == 0)
        {
            _requester.Tell(new Status.Failure(new InvalidOperationException(
                $"Every worker of {Self.Path} stopped with {_remaining} of {_items.Count} items unprocessed.")), Self);
            _requester = null;
            _queued.Clear();
        }
    }

    private sealed class Worker : ReceiveActor
    {
        public Worker(int index, Func<int, TItem, ValueTask<TResult>> work)
        {
            ReceiveAsync<Assign>(async assign => Context.Parent.Tell(new ItemDone(assign.Index, await work(index, assign.Item)), Self));
        }

        protected override void PreStart() => Context.Parent.Tell(new WorkerReady(), Self);

        // The item this instance failed on goes back to the queue before the fresh instance reports ready.
        protected override void PreRestart(Exception reason, object? message)
        {
            if (message is Assign assign) Context.Parent.Tell(new ItemFailed(assign.Index, reason), Self);
            base.PreRestart(reason, message);
        }
    }
}
