using Akka.Actor;

namespace Reasoner.Actors.SelfImprovement;

/// <summary>
/// The loop's actors answer Asks from long async handlers: the asker gets the result, or the exception as a
/// <see cref="Status.Failure"/> (its Ask throws it), never silence that would leave it waiting for its timeout.
/// </summary>
internal static class Reply
{
    public static async Task WithAsync(IActorRef replyTo, IActorRef self, Func<Task<object>> work)
    {
        object reply;
        try
        {
            reply = await work();
        }
        catch (Exception error)
        {
            reply = new Status.Failure(error);
        }
        replyTo.Tell(reply, self);
    }

    /// <summary>The same for a handler that does its work inline (on a pinned dispatcher).</summary>
    public static void With(IActorRef replyTo, IActorRef self, Func<object> work)
    {
        object reply;
        try
        {
            reply = work();
        }
        catch (Exception error)
        {
            reply = new Status.Failure(error);
        }
        replyTo.Tell(reply, self);
    }
}
