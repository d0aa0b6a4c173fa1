// ModelArguments.cs — the options `summary` and `gradcheck` share for naming a zoo model: the
// model argument, --input CxHxW, --classes and --option key=value, and how a wrong name or a
// malformed value is reported (one line on stderr, exit code 1).
using System.CommandLine;
using System.Globalization;
using Cortex.Models;
using Cortex.Tensors;

namespace Cortex.Cli;

internal sealed class ModelArguments
{
    public Argument<string?> Model { get; } = new("model")
    {
        Description = "A model of the zoo (see `cortex summary --list`).",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public Option<string?> Input { get; } = new("--input")
    {
        Description = "The input of one image as CxHxW (3x224x224), HxW (channels from the model) or one size (224).",
    };

    public Option<int?> Classes { get; } = new("--classes") { Description = "Number of classes (default: the model's)." };

    public Option<string[]> Options { get; } = new("--option", "-o")
    {
        Description = "A builder option key=value (groups=2, include_top=false, batch_norm=true, aux_logits=true, stride_on=3x3, plain=true, shortcut=B, dropout=true); repeatable.",
        AllowMultipleArgumentsPerToken = false,
    };

    public void AddTo(Command command)
    {
        command.Arguments.Add(Model);
        command.Options.Add(Input);
        command.Options.Add(Classes);
        command.Options.Add(Options);
    }

    /// <summary>The spec the parsed arguments name, with <paramref name="fallbackInput"/> (default: the model's) where --input is absent.</summary>
    /// <exception cref="ArgumentException">An unknown model or a malformed value; the message says which.</exception>
    public ModelSpec Spec(ParseResult parse, string name, Func<ModelInfo, Shape>? fallbackInput = null)
    {
        var info = ModelZoo.Find(name);
        var input = parse.GetValue(Input) is { } text ? ParseInput(text, info.DefaultInput) : (fallbackInput?.Invoke(info) ?? info.DefaultInput);
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string item in parse.GetValue(Options) ?? [])
        {
            int eq = item.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new ArgumentException($"--option: expected key=value, got '{item}'.");
            options[item[..eq].Trim()] = item[(eq + 1)..].Trim();
        }
        return ModelZoo.Spec(info.Name, parse.GetValue(Classes), input, options);
    }

    /// <summary>Refuses options the model's builder never read (a misspelt key, or one this model does not have).</summary>
    public static void CheckUnused(ModelSpec spec, IEnumerable<string> unused)
    {
        var list = unused.ToList();
        if (list.Count == 0)
            return;
        string which = string.Join(", ", list.Select(k => $"'{k}'"));
        if (list.SequenceEqual(["init"]))
            throw new ArgumentException($"--init: {spec.Model} takes no weight initializer; its layers keep their own defaults. Leave --init out, or pick a model that reads it.");
        throw new ArgumentException($"--option: {spec.Model} does not read {which}; check the spelling (the options each model reads are in `cortex summary --help`).");
    }

    /// <summary>"3x224x224" → (3, 224, 224); "224x224" and "224" take the channels from <paramref name="fallback"/>.</summary>
    public static Shape ParseInput(string text, Shape fallback)
    {
        var parts = text.Split('x', 'X', '×', ',');
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1)
                throw new ArgumentException($"--input: expected CxHxW with positive sizes (3x224x224), got '{text}'.");
        }
        return sizes.Length switch
        {
            3 => new Shape(sizes),
            2 => new Shape(fallback[0], sizes[0], sizes[1]),
            1 => new Shape(fallback[0], sizes[0], sizes[0]),
            _ => throw new ArgumentException($"--input: expected CxHxW (3x224x224), got '{text}'."),
        };
    }

    /// <summary>Writes "cortex COMMAND: message" to stderr and returns exit code 1.</summary>
    public static int Fail(ParseResult parse, string command, string message)
    {
        parse.InvocationConfiguration.Error.WriteLine($"cortex {command}: {message}");
        return 1;
    }
}
