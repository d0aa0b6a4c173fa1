using Cortex.Data.Images;
using StbImageWriteSharp;

namespace Cortex.Data.Tests.Images;

public sealed class ImageFolderTests
{
    /// <summary>A solid-colour RGB PNG of <paramref name="h"/>×<paramref name="w"/>.</summary>
    private static void WritePng(string path, int h, int w, float r, float g, float b)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var pixels = new float[3 * h * w];
        pixels.AsSpan(0, h * w).Fill(r);
        pixels.AsSpan(h * w, h * w).Fill(g);
        pixels.AsSpan(2 * h * w, h * w).Fill(b);
        PngFile.Save(path, pixels, new ImageSize(3, h, w));
    }

    private static string MakeCatsAndDogs(TempDirectory temp)
    {
        string root = Path.Combine(temp.Path, "cats_and_dogs_small");
        foreach (string split in new[] { "train", "validation", "test" })
        {
            for (int i = 0; i < 3; i++)
            {
                WritePng(Path.Combine(root, split, "cats", $"cat.{i}.png"), 10 + i, 12, 1, 0, 0);   // red cats, sizes vary
                WritePng(Path.Combine(root, split, "dogs", $"dog.{i}.png"), 8, 8, 0, 0, 1);         // blue dogs
            }
        }
        return root;
    }

    [Fact]
    public void Load_ClassFolders_ResizesDecodesAndLabelsBySortedFolderName()
    {
        using var temp = new TempDirectory();
        string root = MakeCatsAndDogs(temp);
        var train = ImageFolder.Load(Path.Combine(root, "train"), new ImageFolderOptions { Height = 6, Width = 5 });
        Assert.Equal(["cats", "dogs"], train.ClassNames);
        Assert.Equal(new Cortex.Tensors.Shape(3, 6, 5), train.SampleShape);
        Assert.Equal([0, 0, 0, 1, 1, 1], train.Labels.ToArray());
        var cat = train.Image(0).Span;
        Assert.All(cat[..30].ToArray(), v => Assert.Equal(1f, v));       // red plane
        Assert.All(cat[60..].ToArray(), v => Assert.Equal(0f, v));       // blue plane
        Assert.Equal(1f, train.Image(5).Span[60]);
    }

    [Fact]
    public void Load_BrokenAndNonImageFiles_AreSkippedWithWarningsThatNameThem()
    {
        using var temp = new TempDirectory();
        string root = MakeCatsAndDogs(temp);
        string broken = Path.Combine(root, "train", "cats", "cat.broken.png");
        File.WriteAllBytes(broken, [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        string text = Path.Combine(root, "train", "dogs", "notes.txt");
        File.WriteAllText(text, "not an image");
        File.WriteAllText(Path.Combine(root, "train", "dogs", ".DS_Store"), "hidden");
        var warnings = new List<string>();
        var train = ImageFolder.Load(Path.Combine(root, "train"), new ImageFolderOptions { Height = 4, Width = 4, Warning = warnings.Add });
        Assert.Equal(6, train.Count);
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Contains(broken, StringComparison.Ordinal) && w.Contains("not a readable image", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains(text, StringComparison.Ordinal) && w.Contains("not an image file", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_ManyFiles_DecodesInParallel_InFileOrder()
    {
        using var temp = new TempDirectory();
        for (int i = 0; i < 40; i++)
            WritePng(Path.Combine(temp.Path, i % 2 == 0 ? "a" : "b", $"{i:00}.png"), 3, 3, i / 40f, 0, 0);
        File.WriteAllBytes(Path.Combine(temp.Path, "a", "07.png"), [1, 2, 3]);
        var warnings = new List<string>();
        var data = ImageFolder.Load(temp.Path, new ImageFolderOptions { Workers = 4, Warning = warnings.Add });
        Assert.Equal(40, data.Count);   // 20 + 20, the broken "07.png" sits beside the real ones
        Assert.Single(warnings);
        Assert.Equal(new Cortex.Tensors.Shape(3, 3, 3), data.SampleShape);  // taken from the first image
        Assert.Equal(0f, data.Image(0).Span[0]);
        Assert.Equal(MathF.Round(2 / 40f * 255) / 255, data.Image(1).Span[0], 1e-6f);
    }

    [Fact]
    public void Load_GreyAndJpeg_ConvertChannels()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(temp.Path, "x"));
        PngFile.Save(Path.Combine(temp.Path, "x", "grey.png"), Enumerable.Repeat(0.4f, 16).ToArray(), new ImageSize(1, 4, 4));
        var rgb = new byte[4 * 4 * 3];
        for (int p = 0; p < 16; p++)
            (rgb[p * 3], rgb[p * 3 + 1], rgb[p * 3 + 2]) = (200, 100, 50);
        using (var jpg = File.Create(Path.Combine(temp.Path, "x", "photo.jpg")))
            new ImageWriter().WriteJpg(rgb, 4, 4, ColorComponents.RedGreenBlue, jpg, 100);
        var colour = ImageFolder.Load(temp.Path, new ImageFolderOptions { Channels = 3 });
        Assert.Equal(new Cortex.Tensors.Shape(3, 4, 4), colour.SampleShape);
        Assert.Equal(0.4f, colour.Image(0).Span[16 * 2], 0.003f);            // grey repeated into blue
        Assert.Equal(200 / 255f, colour.Image(1).Span[0], 0.03f);            // JPEG red, within compression error
        var grey = ImageFolder.Load(temp.Path, new ImageFolderOptions { Channels = 1 });
        Assert.Equal((0.299f * 200 + 0.587f * 100 + 0.114f * 50) / 255, grey.Image(1).Span[0], 0.03f);
    }

    [Fact]
    public void LoadSplit_AndDataSources_RecogniseTheCatsAndDogsLayout()
    {
        using var temp = new TempDirectory();
        string root = MakeCatsAndDogs(temp);
        var options = new DataSourceOptions { ImageFolder = new ImageFolderOptions { Height = 8, Width = 8 } };
        var data = DataSources.Load(root, options);
        Assert.Equal(6, data.Train.Count);
        Assert.Equal(6, data.Test.Count);
        Assert.NotNull(data.Validation);
        Assert.Equal("cats_and_dogs_small/validation", data.Validation!.Name);
        Assert.Equal(new Cortex.Tensors.Shape(3, 8, 8), data.Test.SampleShape);
        Assert.True(ImageFolder.HoldsSplit(root));
        Assert.False(ImageFolder.HoldsSplit(Path.Combine(root, "train")));
    }

    [Fact]
    public void LoadSplit_ValidationOnly_BecomesTheTestSet_AndUnknownClassesAreRefused()
    {
        using var temp = new TempDirectory();
        string root = Path.Combine(temp.Path, "d");
        WritePng(Path.Combine(root, "train", "a", "1.png"), 4, 4, 1, 1, 1);
        WritePng(Path.Combine(root, "train", "b", "1.png"), 4, 4, 0, 0, 0);
        WritePng(Path.Combine(root, "validation", "a", "1.png"), 4, 4, 1, 1, 1);
        var data = ImageFolder.LoadSplit(root);
        Assert.Null(data.Validation);
        Assert.Equal("d/validation", data.Test.Name);
        Assert.Equal(["a", "b"], data.Test.ClassNames);
        WritePng(Path.Combine(root, "validation", "zebra", "1.png"), 4, 4, 0, 0, 0);
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.LoadSplit(root));
        Assert.Contains("the class folder 'zebra' is not one of the expected classes [a, b]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NoImages_ThrowsNamingTheFolder()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(temp.Path, "empty"));
        var e = Assert.Throws<InvalidDataException>(() => ImageFolder.Load(temp.Path));
        Assert.Contains("expected one sub-folder of image files per class", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PngFile_RoundTrips_ThroughTheDecoder()
    {
        var size = new ImageSize(3, 5, 7);
        var pixels = Enumerable.Range(0, size.Length).Select(i => (i % 256) / 255f).ToArray();
        var decoded = ImageDecoder.Decode(PngFile.Encode(pixels, size));
        Assert.Equal(size, decoded.Size);
        for (int i = 0; i < pixels.Length; i++)
            Assert.Equal(pixels[i], decoded.Pixels[i], 1e-6f);
    }
}
