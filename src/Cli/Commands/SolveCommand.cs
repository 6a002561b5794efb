using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reasoner.Experiments.Inference;
using Reasoner.Rewards;
using Reasoner.Search;
using Spectre.Console;

namespace Reasoner.Cli.Commands;

/// <summary>
/// <c>reasoner solve</c>: one problem, searched with the policy, shown to a person: the steps the search considered
/// with their values, visits and priors (a tree, the chosen path in green), the chosen answer with the verifier's
/// verdict, and the compute spent.
/// </summary>
internal static class SolveCommand
{
    public static Command Create()
    {
        var policy = new PolicyOptions("mcts");
        var problem = new Option<string?>("--problem") { Description = "countdown/game24: the numbers, e.g. \"4 4 6 8\"." };
        var target = new Option<int?>("--target") { Description = "countdown: the target (game24: 24)." };
        var problemJson = new Option<string?>("--problem-json") { Description = "Any task: the problem as the task's JSON, e.g. '{\"numbers\": [4, 4, 6, 8], \"target\": 24}'." };
        var children = new Option<int>("--show-children") { Description = "Children shown per node, most visited (then highest valued) first.", DefaultValueFactory = _ => 4 };
        var treeOut = new Option<string?>("--tree") { Description = "Write the whole search tree as JSON to this file." };
        var command = new Command("solve", "Solve one problem with a search and show the thinking: the tree, the chosen path, the verdict, the compute.");
        policy.AddTo(command);
        foreach (var option in new Option[] { problem, target, problemJson, children, treeOut }) command.Options.Add(option);
        command.SetAction(parse =>
        {
            using var io = CommandIO.Of(parse);
            var method = policy.Method(parse);
            var budget = policy.Budget(parse);
            var (model, tokenizer, task) = policy.Load(parse, io.Log);
            var theProblem = ReadProblem(task, parse.GetValue(problem), parse.GetValue(target), parse.GetValue(problemJson));
            using var pool = policy.Pool(parse);
            var proposer = new PolicyProposer(model, tokenizer, pool, parse.GetValue(policy.Slots));
            var result = method.Create().Run(task, theProblem, proposer, policy.ValueEstimator(parse, task, proposer, pool), budget, new Random(parse.GetValue(policy.Seed)));
            var verdict = task.Verify(theProblem, result.Completion, new RewardConfig());

            io.Ansi.MarkupLine($"[bold]{Markup.Escape(task.Prompt(theProblem).TrimEnd())}[/]  ({Markup.Escape(method.Label)})");
            io.Ansi.Write(Render(result, Math.Max(1, parse.GetValue(children))));
            io.Ansi.MarkupLine("[bold]Chosen path[/]");
            foreach (var line in result.Completion.Split('\n')) io.Ansi.MarkupLine($"  [green]{Markup.Escape(line)}[/]");
            io.Ansi.MarkupLine(verdict.Correct
                ? $"[bold green]Correct[/]: {Markup.Escape(result.Answer ?? "")}"
                : $"[bold red]Not correct[/]: {Markup.Escape(verdict.Reason ?? "no answer")}");
            var s = result.Spent;
            io.Ansi.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"Compute: {s.GeneratedTokens} generated tokens, {s.ForwardTokens} policy tokens, {s.ProposerCalls} proposer calls, {s.ValueEvaluations} value evaluations in {s.ValueCalls} calls, {s.Nodes} nodes, {s.WallTime.TotalSeconds:0.00} s"));
            if (parse.GetValue(treeOut) is { } path)
            {
                using var file = File.Create(path);
                SearchTreeJson.Write(result, file);
            }
            return 0;
        });
        return command;
    }

    /// <summary>From --problem-json for any task, or from the numbers (and target) for countdown and game24.</summary>
    static Problem ReadProblem(ITask task, string? numbers, int? target, string? json)
    {
        if ((numbers is null) == (json is null)) throw new UserInputException("give the problem with either --problem or --problem-json");
        JsonObject problem;
        if (json is not null)
        {
            try
            {
                problem = JsonNode.Parse(json) as JsonObject ?? throw new UserInputException("--problem-json must be a JSON object");
            }
            catch (JsonException error)
            {
                throw new UserInputException($"--problem-json is not JSON: {error.Message}", error);
            }
        }
        else
        {
            if (task.Name is not ("countdown" or "game24"))
                throw new UserInputException($"--problem (numbers) is for countdown and game24; give task {task.Name}'s problem with --problem-json");
            var values = numbers!.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries).Select(text =>
                int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new UserInputException($"--problem: '{text}' is not an integer"));
            var goal = task.Name == "game24" ? target ?? 24 : target ?? throw new UserInputException("countdown needs --target");
            problem = new JsonObject { ["numbers"] = new JsonArray(values.Select(v => (JsonNode)v).ToArray()), ["target"] = goal };
        }
        return task.FromJson(problem);
    }

    /// <summary>The tree from the root: each node's step with value, mean backed-up value, visits and prior.</summary>
    static Tree Render(SearchResult result, int shownChildren)
    {
        var tree = result.Tree;
        var chosen = result.ChosenPath.ToHashSet();
        var root = new Tree(Label(tree, SearchTree.Root, chosen));
        var stack = new Stack<(int Node, IHasTreeNodes Parent)>();
        stack.Push((SearchTree.Root, root));
        while (stack.Count > 0)
        {
            var (node, parent) = stack.Pop();
            var ordered = Enumerable.Range(tree.ChildStart[node] < 0 ? 0 : tree.ChildStart[node], tree.ChildCount[node])
                .OrderByDescending(c => chosen.Contains(c)).ThenByDescending(c => tree.Visits[c])
                .ThenByDescending(c => float.IsNaN(tree.Value[c]) ? -1 : tree.Value[c]).ThenBy(c => c).ToList();
            var shown = ordered.Take(shownChildren).ToList();
            var added = new List<(int, IHasTreeNodes)>();
            foreach (var child in shown) added.Add((child, parent.AddNode(Label(tree, child, chosen))));
            if (ordered.Count > shown.Count) parent.AddNode($"[grey]... {ordered.Count - shown.Count} more[/]");
            for (var i = added.Count - 1; i >= 0; i--) stack.Push(added[i]);
        }
        return root;
    }

    static string Label(SearchTree tree, int node, HashSet<int> chosen)
    {
        var step = node == SearchTree.Root ? "(prompt)" : tree.Step[node].Length == 0 ? "(empty step)" : tree.Step[node];
        var facts = new List<string>();
        if (!float.IsNaN(tree.Value[node])) facts.Add(string.Create(CultureInfo.InvariantCulture, $"v={tree.Value[node]:0.000}"));
        if (tree.MeanValue(node) is { } q) facts.Add(string.Create(CultureInfo.InvariantCulture, $"q={q:0.000}"));
        if (tree.Visits[node] > 0) facts.Add($"N={tree.Visits[node]}");
        if (node != SearchTree.Root) facts.Add(string.Create(CultureInfo.InvariantCulture, $"p={tree.Prior[node]:0.00}"));
        if (tree.Kind[node] != NodeKind.Open) facts.Add(tree.Kind[node] == NodeKind.Answer ? "answer" : "dead end");
        var text = $"{Markup.Escape(step)} [grey]{Markup.Escape(string.Join(" ", facts))}[/]";
        return chosen.Contains(node) ? $"[green]{text}[/]" : text;
    }
}
