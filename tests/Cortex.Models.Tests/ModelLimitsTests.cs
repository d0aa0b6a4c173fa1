using Cortex.Serialization;
using Cortex.Tensors;

namespace Cortex.Models.Tests;

/// <summary>ModelZoo's limits on what a spec may ask for, and what ModelSpec records and reports (issue 15).</summary>
public sealed class ModelLimitsTests
{
    [Fact]
    public void Create_ParameterLimit_MatchesTheModelsOwnCount()
    {
        // LeNet-5 for 10 classes holds exactly `count` parameters (it has no buffers): a limit of count builds it,
        // count − 1 refuses it.
        var spec = ModelZoo.Spec("lenet5");
        long count = ModelZoo.Create(spec).AllParameters().Sum(p => (long)p.Value.Size);
        Assert.Equal(count, ModelZoo.Create(spec, new ModelLimits { MaxParameters = count }).AllParameters().Sum(p => (long)p.Value.Size));
        var e = Assert.Throws<InvalidDataException>(() => ModelZoo.Create(spec, new ModelLimits { MaxParameters = count - 1 }));
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"more than {count - 1:N0} parameters"), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_ActivationLimit_MatchesTheSummary()
    {
        var spec = ModelZoo.Spec("lenet5");
        long values = Diagnostics.ModelSummary.Create(ModelZoo.Create(spec), spec.Input).ActivationValues;
        _ = ModelZoo.Create(spec, new ModelLimits { MaxActivationValues = values });
        Assert.Throws<InvalidDataException>(() => ModelZoo.Create(spec, new ModelLimits { MaxActivationValues = values - 1 }));
    }

    [Fact]
    public void Create_ReportsOptionsTheBuilderNeverRead()
    {
        var spec = ModelZoo.Spec("lenet5", options: new Dictionary<string, string> { ["seed"] = "3", ["init"] = "he", ["bogus"] = "1" });
        ModelZoo.Create(spec, null, out var unused);
        Assert.Equal(["bogus", "init"], unused);                    // lenet5 reads only its seed
        ModelZoo.Create(ModelZoo.Spec("alexnet", input: new Shape(3, 227, 227), options: new Dictionary<string, string> { ["groups"] = "2", ["init"] = "he" }),
            null, out var read);
        Assert.Empty(read);
    }

    [Fact]
    public void Spec_DataRoundTripsThroughTheModelFile()
    {
        var spec = ModelZoo.Spec("lenet5", 3) with { Data = new ModelDataInfo("/data/shapes", ["circle", "square", "triangle"], "pixels/255") };
        string path = Path.Combine(Path.GetTempPath(), $"cortex-spec-{Guid.NewGuid():N}.safetensors");
        try
        {
            ModelZoo.Save(ModelZoo.Create(spec), spec, path);
            var (_, loaded) = ModelZoo.Load(path);
            Assert.Equal(spec, loaded);
            Assert.Equal(["circle", "square", "triangle"], loaded.Data!.ClassNames);
            Assert.Null(ModelSpec.FromJson(ModelZoo.Spec("lenet5").ToJson()).Data);   // files without it still load
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_NonFiniteWeight_IsRefused()
    {
        var spec = ModelZoo.Spec("lenet5");
        var model = ModelZoo.Create(spec);
        var (key, value) = ModelFile.StateDict(model).Last();
        value.Span[^1] = float.PositiveInfinity;
        string path = Path.Combine(Path.GetTempPath(), $"cortex-inf-{Guid.NewGuid():N}.safetensors");
        try
        {
            ModelZoo.Save(model, spec, path);
            var e = Assert.Throws<InvalidDataException>(() => ModelZoo.Load(path));
            Assert.Contains($"tensor '{key}' holds 1 non-finite value(s) (NaN or infinity), the first at index {value.Size - 1} (Infinity)", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
