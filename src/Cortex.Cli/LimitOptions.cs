// LimitOptions.cs — the command-line options that raise Cortex's input limits (see the README's
// "Limits and malformed input"): the parameters and activation values a model description may ask
// for, the pixels of one image file, and the elements one IDX header may declare. The defaults are
// the libraries' own (ModelLimits, ImageDecoder.DefaultMaxPixels, IdxReader.DefaultMaxElements).
using System.CommandLine;
using System.Globalization;
using Cortex.Data;
using Cortex.Data.Idx;
using Cortex.Data.Images;
using Cortex.Models;

namespace Cortex.Cli;

internal sealed class LimitOptions
{
    public Option<long?> MaxParameters { get; } = new("--max-parameters")
    {
        Description = Invariant($"Refuse a model with more parameters than this (default {ModelLimits.DefaultMaxParameters:N0})."),
    };

    public Option<long?> MaxActivations { get; } = new("--max-activations")
    {
        Description = Invariant($"Refuse a model whose forward pass holds more values per image (default {ModelLimits.DefaultMaxActivationValues:N0})."),
    };

    public Option<long?> MaxImagePixels { get; } = new("--max-image-pixels")
    {
        Description = Invariant($"Refuse (skip) image files of more pixels than this (default {ImageDecoder.DefaultMaxPixels:N0})."),
    };

    public Option<long?> MaxIdxElements { get; } = new("--max-idx-elements")
    {
        Description = Invariant($"Refuse IDX files whose header declares more elements (default {IdxReader.DefaultMaxElements:N0})."),
    };

    public void AddModelOptions(Command command)
    {
        command.Options.Add(MaxParameters);
        command.Options.Add(MaxActivations);
    }

    public void AddDataOptions(Command command)
    {
        command.Options.Add(MaxImagePixels);
        command.Options.Add(MaxIdxElements);
    }

    public void AddTo(Command command)
    {
        AddModelOptions(command);
        AddDataOptions(command);
    }

    /// <summary>The model limits the options name (the defaults where absent).</summary>
    public ModelLimits Model(ParseResult result) => new()
    {
        MaxParameters = Positive(result, MaxParameters) ?? ModelLimits.DefaultMaxParameters,
        MaxActivationValues = Positive(result, MaxActivations) ?? ModelLimits.DefaultMaxActivationValues,
    };

    /// <summary>The largest image file, in pixels.</summary>
    public long ImagePixels(ParseResult result) => Positive(result, MaxImagePixels) ?? ImageDecoder.DefaultMaxPixels;

    /// <summary>The largest IDX element count.</summary>
    public long IdxElements(ParseResult result)
    {
        long value = Positive(result, MaxIdxElements) ?? IdxReader.DefaultMaxElements;
        if (value > int.MaxValue)
            throw new ArgumentException(Invariant($"--max-idx-elements: expected at most {int.MaxValue:N0} (one array), got {value:N0}."));
        return value;
    }

    /// <summary>Data-source options for these limits, image folders read as <paramref name="folder"/> says.</summary>
    public DataSourceOptions Data(ParseResult result, ImageFolderOptions? folder = null) => new()
    {
        MaxIdxElements = IdxElements(result),
        ImageFolder = (folder ?? new ImageFolderOptions()) with { MaxPixels = ImagePixels(result) },
    };

    private static long? Positive(ParseResult result, Option<long?> option)
    {
        long? value = result.GetValue(option);
        if (value is < 1)
            throw new ArgumentException($"{option.Name}: expected a positive number, got {value}.");
        return value;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
