using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reasoner.Rewards;

namespace Reasoner.Cli.Commands;

/// <summary><c>reasoner tasks sample|score|export</c>: look at a task's problems and expert solutions, and score completions.</summary>
internal static class TasksCommand
{
    /// <summary>Prompts and solutions stay readable: "->" and "+" are written as they are, not as \u escapes.</summary>
    private static readonly JsonSerializerOptions JsonOutput = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var command = new Command("tasks", "Verifiable tasks: sample problems with expert solutions, score completions, export splits.");
        command.Subcommands.Add(SampleCommand());
        command.Subcommands.Add(ScoreCommand());
        command.Subcommands.Add(ExportCommand());
        return command;
    }

    /// <summary>The options every subcommand that builds problems shares: task, split, count, seed and difficulty.</summary>
    private sealed class ProblemOptions
    {
        public Option<string> Task { get; } = new("--task") { Description = $"Task: {string.Join(", ", TaskCatalog.Names)}.", Required = true };
        public Option<int> Count { get; } = new("--n") { Description = "How many problems.", DefaultValueFactory = _ => 5 };
        public Option<int> Seed { get; } = new("--seed") { Description = "Seed of the generator.", DefaultValueFactory = _ => 0 };
        public Option<string> Split { get; } = new("--split") { Description = "train or test.", DefaultValueFactory = _ => "train" };
        public TaskDifficultyOptions Difficulty { get; } = new();

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { Task, Count, Seed, Split })
            {
                command.Options.Add(option);
            }
            Difficulty.AddTo(command);
        }

        public ITask BuildTask(ParseResult parse) => TaskDifficultyOptions.CreateTask(parse.GetValue(Task)!, Difficulty.Read(parse));

        public IReadOnlyList<Problem> Generate(ParseResult parse, ITask task)
        {
            var split = parse.GetValue(Split) switch
            {
                "train" => Rewards.Split.Train,
                "test" => Rewards.Split.Test,
                var other => throw new UserInputException($"--split must be train or test, not \"{other}\""),
            };
            try
            {
                return task.Generate(split, parse.GetValue(Count), parse.GetValue(Seed));
            }
            catch (ArgumentException error)
            {
                throw new UserInputException($"--n: {error.Message}", error);
            }
        }
    }

    private static Command SampleCommand()
    {
        var command = new Command("sample", "Print problems as JSON lines {id, task, problem, prompt, solution}.");
        var options = new ProblemOptions();
        options.AddTo(command);
        command.SetAction(parse =>
        {
            var task = options.BuildTask(parse);
            WriteProblems(task, options.Generate(parse, task), parse.InvocationConfiguration.Output);
            return 0;
        });
        return command;
    }

    private static Command ExportCommand()
    {
        var command = new Command("export", "Write a split to a JSONL file, one {id, task, problem, prompt, solution} a line.");
        var options = new ProblemOptions();
        options.AddTo(command);
        var output = new Option<FileInfo>("--out") { Description = "The JSONL file to write.", Required = true };
        command.Options.Add(output);
        command.SetAction(parse =>
        {
            using var io = CommandIO.Of(parse);
            var task = options.BuildTask(parse);
            var problems = options.Generate(parse, task);
            var file = parse.GetValue(output)!;
            file.Directory?.Create();
            using (var writer = new StreamWriter(file.FullName))
            {
                WriteProblems(task, problems, writer);
            }
            io.Log.Information("Wrote {Count} {Task} problems to {Path}", problems.Count, task.Name, file.FullName);
            return 0;
        });
        return command;
    }

    private static Command ScoreCommand()
    {
        var command = new Command("score", "Score JSON lines {problem, completion} from standard input (or --input); print {id, correct, format_ok, reward, step_valid, reason}.");
        var input = new Option<FileInfo?>("--input") { Description = "Read the completions from this JSONL file instead of standard input." };
        var taskOption = new Option<string>("--task") { Description = $"Task: {string.Join(", ", TaskCatalog.Names)}.", Required = true };
        var formatBonus = new Option<double>("--format-bonus") { Description = "Reward of a well-formed wrong answer (TinyZero: 0.1).", DefaultValueFactory = _ => 0 };
        var processWeight = new Option<double>("--process-weight") { Description = "Weight of the fraction of valid steps.", DefaultValueFactory = _ => 0 };
        var lengthPenalty = new Option<double>("--length-penalty") { Description = "Subtracted per step beyond the most a solution needs.", DefaultValueFactory = _ => 0 };
        command.Options.Add(taskOption);
        command.Options.Add(formatBonus);
        command.Options.Add(processWeight);
        command.Options.Add(lengthPenalty);
        command.Options.Add(input);
        command.SetAction(parse =>
        {
            using var io = CommandIO.Of(parse);
            var task = TaskDifficultyOptions.CreateTask(parse.GetValue(taskOption)!);
            var rewards = new RewardConfig(parse.GetValue(formatBonus), parse.GetValue(processWeight), parse.GetValue(lengthPenalty));
            // The process's standard input only when no file is named: System.CommandLine gives an invocation an output
            // and an error stream of its own, but no input, so tests (and scripts) name a file.
            var file = parse.GetValue(input);
            if (file is { Exists: false }) throw new FileNotFoundException($"--input {file.FullName} does not exist", file.FullName);
            using var reader = file is null ? null : file.OpenText();
            var (scored, errors) = Score(task, reader ?? Console.In, io.Out, rewards);
            io.Log.Information("Scored {Scored} completions, {Errors} malformed input lines", scored, errors);
            return 0;
        });
        return command;
    }

    internal static void WriteProblems(ITask task, IEnumerable<Problem> problems, TextWriter output)
    {
        foreach (var problem in problems)
        {
            var line = new JsonObject
            {
                ["id"] = problem.Id,
                ["task"] = task.Name,
                ["problem"] = task.ToJson(problem),
                ["prompt"] = task.Prompt(problem),
                ["solution"] = string.Join('\n', task.Solve(problem)) + "\n",
            };
            output.WriteLine(line.ToJsonString(JsonOutput));
        }
    }

    /// <summary>
    /// Scores each input line; a malformed one gets <c>{"line": n, "error": ...}</c> and the rest are still scored.
    /// Returns how many were scored and how many were malformed.
    /// </summary>
    internal static (int Scored, int Errors) Score(ITask task, TextReader input, TextWriter output, RewardConfig rewards)
    {
        var (scored, errors, lineNumber) = (0, 0, 0);
        while (input.ReadLine() is { } text)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }
            JsonObject result;
            try
            {
                result = ScoreLine(task, text, rewards);
                scored++;
            }
            catch (Exception error) when (error is JsonException or FormatException)
            {
                result = new JsonObject { ["line"] = lineNumber, ["error"] = error.Message };
                errors++;
            }
            output.WriteLine(result.ToJsonString(JsonOutput));
        }
        return (scored, errors);
    }

    private static JsonObject ScoreLine(ITask task, string text, RewardConfig rewards)
    {
        if (JsonNode.Parse(text) is not JsonObject line)
        {
            throw new FormatException("the line is not a JSON object");
        }
        if (line["problem"] is not JsonObject problemJson)
        {
            throw new FormatException("field \"problem\" must be an object");
        }
        if (line["completion"] is not JsonValue completionValue || !completionValue.TryGetValue<string>(out var completion))
        {
            throw new FormatException("field \"completion\" must be a string");
        }
        var problem = task.FromJson(problemJson);
        var id = line["id"] is JsonValue idValue && idValue.TryGetValue<string>(out var given) ? given : problem.Id;
        var verdict = task.Verify(problem, completion, rewards);
        return new JsonObject
        {
            ["id"] = id,
            ["correct"] = verdict.Correct,
            ["format_ok"] = verdict.FormatOk,
            ["reward"] = verdict.Reward,
            ["step_valid"] = new JsonArray(verdict.StepValid.Select(valid => (JsonNode)valid).ToArray()),
            ["reason"] = verdict.Reason,
        };
    }
}
