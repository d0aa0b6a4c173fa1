// ArchitectureDocTests.cs — docs/architecture.md and the tour pages name files and tests; a rename
// that leaves them pointing at nothing fails here, so the map stays true while the code moves.
using System.Text.RegularExpressions;

namespace Cortex.Cli.Tests;

public partial class ArchitectureDocTests
{
    public static TheoryData<string> Pages()
    {
        var pages = new TheoryData<string> { "docs/architecture.md" };
        string tour = Path.Combine(RepositoryRoot(), "docs", "tour");
        foreach (string page in Directory.GetFiles(tour, "*.md").Order(StringComparer.Ordinal))
            pages.Add(Path.GetRelativePath(RepositoryRoot(), page).Replace('\\', '/'));
        return pages;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void EveryLinkedFile_Exists(string page)
    {
        string path = Path.Combine(RepositoryRoot(), page);
        var links = LocalLink().Matches(File.ReadAllText(path)).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.NotEmpty(links);
        var missing = links.Where(l => !File.Exists(Resolve(path, l)) && !Directory.Exists(Resolve(path, l))).ToList();
        Assert.True(missing.Count == 0, $"{page}: links to {missing.Count} missing file(s): {string.Join(", ", missing)}.");
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void EveryNamedTest_Exists(string page)
    {
        string text = File.ReadAllText(Path.Combine(RepositoryRoot(), page));
        var sources = TestSources();
        var missing = new List<string>();
        foreach (Match m in TestName().Matches(text))
        {
            string type = m.Groups[1].Value, method = m.Groups[2].Value;
            bool found = sources.Any(s => s.Contains($"class {type}", StringComparison.Ordinal) &&
                                          Regex.IsMatch(s, $@"\b{Regex.Escape(method)}\s*\("));
            if (!found)
                missing.Add($"{type}.{method}");
        }
        Assert.True(missing.Count == 0, $"{page}: names {missing.Count} test(s) that do not exist: {string.Join(", ", missing.Distinct())}.");
    }

    [Fact]
    public void TheCheckers_SeeWhatTheyLookFor()
    {
        Assert.Equal("../src/Cortex/Layers/Conv2d.cs", LocalLink().Match("[`Conv2d.cs`](../src/Cortex/Layers/Conv2d.cs)").Groups[1].Value);
        Assert.Equal("img/a.png", LocalLink().Match("![a picture](img/a.png)").Groups[1].Value);
        Assert.DoesNotMatch(LocalLink(), "[site](https://example.org/a.md)");
        Assert.Equal("ZooTests", TestName().Match("`ZooTests.ParameterCounts_MatchThePublishedFigures`").Groups[1].Value);
        string absent = "class " + nameof(Assert) + "ThatNobodyWroteTests";   // built here, so no source holds it
        Assert.DoesNotContain(TestSources(), s => s.Contains(absent, StringComparison.Ordinal));
        Assert.Contains(TestSources(), s => s.Contains("class " + nameof(ArchitectureDocTests), StringComparison.Ordinal));
    }

    private static string Resolve(string page, string link) =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, Uri.UnescapeDataString(link)));

    private static List<string> TestSources() =>
        Directory.GetFiles(Path.Combine(RepositoryRoot(), "tests"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                     && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText).ToList();

    private static string RepositoryRoot()
    {
        string? root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "Cortex.slnx")))
            root = Path.GetDirectoryName(root);
        return root ?? throw new InvalidOperationException($"ArchitectureDocTests: expected Cortex.slnx above {AppContext.BaseDirectory}, got none.");
    }

    // A markdown link or image to a local path: ](path) or ](path#anchor); not http(s) or a bare #anchor.
    [GeneratedRegex(@"\]\((?!https?:|#|mailto:)([^)#\s]+)(?:#[^)]*)?\)")]
    private static partial Regex LocalLink();

    // `SomethingTests.Method_Name` in code quotes.
    [GeneratedRegex(@"`([A-Z]\w*Tests)\.(\w+)`")]
    private static partial Regex TestName();
}
