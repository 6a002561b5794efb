using Reasoner.Actors.Runtime;

namespace Reasoner.Actors.Tests.Runtime;

public class ActorRefExtensionsTests
{
    private sealed class Silent : ReceiveActor
    {
        public Silent() => ReceiveAny(_ => { });
    }

    private sealed class Failing : ReceiveActor
    {
        public Failing() => Receive<string>(m => Sender.Tell(new Status.Failure(new FormatException(m)), Self));
    }

    [Fact]
    public async Task AskReturnsTheReply()
    {
        await using var system = ActorSystem.Create("ask");
        var echo = system.ActorOf(Props.Create<Echo>(), "echo");

        Assert.Equal("hello", await echo.Ask<string>("hello", Guard.Timeout));
    }

    [Fact]
    public async Task AskWithoutReplyThrowsAskTimeoutExceptionNamingTheActor()
    {
        await using var system = ActorSystem.Create("timeout");
        var silent = system.ActorOf(Props.Create<Silent>(), "silent");

        var exception = await Assert.ThrowsAsync<AskTimeoutException>(() => silent.Ask<int>("anyone?", TimeSpan.FromMilliseconds(20)));
        Assert.Contains("/user/silent", exception.Message);
    }

    [Fact]
    public async Task AskIsCancelledByItsToken()
    {
        await using var system = ActorSystem.Create("cancel");
        var silent = system.ActorOf(Props.Create<Silent>(), "silent");
        using var cancellation = new CancellationTokenSource();

        var ask = silent.Ask<int>("anyone?", Guard.Timeout, cancellation.Token);
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ask);
    }

    [Fact]
    public async Task AStatusFailureReplyThrowsItsCause()
    {
        await using var system = ActorSystem.Create("failure");
        var failing = system.ActorOf(Props.Create<Failing>(), "failing");

        var exception = await Assert.ThrowsAsync<FormatException>(() => failing.Ask<int>("bad input", Guard.Timeout));
        Assert.Equal("bad input", exception.Message);
    }

    [Fact]
    public async Task AReplyOfTheWrongTypeThrowsInvalidCast()
    {
        await using var system = ActorSystem.Create("cast");
        var echo = system.ActorOf(Props.Create<Echo>(), "echo");

        await Assert.ThrowsAsync<InvalidCastException>(() => echo.Ask<int>("not an int", Guard.Timeout));
    }
}
