// LayeringTests.cs — the floors of docs/architecture.md, enforced: every reference between projects
// and between the namespaces of the Cortex library points down (or is listed below as a known
// violation that the redesign of issue 17 removes).
//
//   Cortex.Kernels → nothing · Cortex → Kernels · Data, Models, Distributed → Cortex (+ Kernels for Data)
//   Onnx → Models · Studio → Data, Models · Cli → everything below it
//
// Three views of the same rule: the ProjectReferences in src/*/*.csproj (what may be referenced),
// the assembly references the compiler wrote into each built assembly (what is used: the C# compiler
// records an assembly only when a type of it is used, so a transitive reach into Cortex.Kernels shows
// here although no csproj names it), and the `using` directives of src/Cortex's files (the namespaces
// inside the library). These tests live in Cortex.Cli.Tests because its output folder holds every
// src assembly. Known violations are a ratchet: a new one fails, and so does one that is gone but
// still listed (delete its line).
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Cortex.Cli.Tests;

public partial class LayeringTests
{
    // What each project may reference (directly or by using a transitive assembly), bottom floor first.
    private static readonly Dictionary<string, string[]> AllowedProjects = new(StringComparer.Ordinal)
    {
        ["Cortex.Kernels"] = [],
        ["Cortex"] = ["Cortex.Kernels"],
        // Kernels: the AVX-512 warp of Transforms/AffineWarp.cs moves there (issue 17, item 2).
        ["Cortex.Data"] = ["Cortex", "Cortex.Kernels"],
        ["Cortex.Data.Digits"] = [],
        ["Cortex.Models"] = ["Cortex"],
        ["Cortex.Distributed"] = ["Cortex"],
        ["Cortex.Onnx"] = ["Cortex", "Cortex.Models"],
        ["Cortex.Studio"] = ["Cortex", "Cortex.Data", "Cortex.Models"],
        ["Cortex.Cli"] = ["Cortex", "Cortex.Data", "Cortex.Models", "Cortex.Distributed", "Cortex.Onnx", "Cortex.Studio"],
    };

    // Today's reaches past the floor below, to be removed by issue 17 ("Models and Cli stop reaching
    // into Kernels (the thread count goes through Cortex)"). Each is an assembly reference, not a
    // ProjectReference: the Kernels types arrive transitively through Cortex.
    private static readonly (string From, string To, string Why)[] KnownProjectViolations =
    [
        ("Cortex.Models", "Cortex.Kernels", "ResidualSupport.cs: Parallelism.For and ActivationKernels in the residual element-wise passes"),
        ("Cortex.Onnx", "Cortex.Kernels", "OnnxExporter.cs: PaddingMode, a Kernels enum in Conv2d's public API"),
        ("Cortex.Cli", "Cortex.Kernels", "--threads sets Kernels.Parallelism.MaxDegree (train, knn, linear, info); conv-demo calls Im2Col and Convolution2d"),
    ];

    // The namespaces of the Cortex library (src/Cortex) and what each may use, bottom floor first.
    // Serialization, Diagnostics and Visualization sit beside Layers and read models (DESIGN.md).
    private static readonly Dictionary<string, string[]> AllowedNamespaces = new(StringComparer.Ordinal)
    {
        ["Cortex.Tensors"] = ["Cortex.Kernels"],
        ["Cortex.Initializers"] = ["Cortex.Tensors"],
        ["Cortex.Layers"] = ["Cortex.Kernels", "Cortex.Tensors", "Cortex.Initializers"],
        ["Cortex.Losses"] = ["Cortex.Kernels", "Cortex.Tensors"],
        ["Cortex.Optimizers"] = ["Cortex.Tensors"],
        ["Cortex.Optimizers.Schedules"] = ["Cortex.Optimizers"],
        ["Cortex.Serialization"] = ["Cortex.Tensors", "Cortex.Layers"],
        ["Cortex.Diagnostics"] = ["Cortex.Kernels", "Cortex.Tensors", "Cortex.Layers"],
        ["Cortex.Visualization"] = ["Cortex.Tensors", "Cortex.Serialization"],
        ["Cortex.Training"] = ["Cortex.Tensors", "Cortex.Layers", "Cortex.Losses", "Cortex.Optimizers", "Cortex.Optimizers.Schedules", "Cortex.Serialization"],
        ["Cortex.Transfer"] = ["Cortex.Tensors", "Cortex.Layers", "Cortex.Losses", "Cortex.Optimizers", "Cortex.Optimizers.Schedules", "Cortex.Training"],
        ["Cortex.Classic"] = ["Cortex.Kernels", "Cortex.Tensors", "Cortex.Initializers", "Cortex.Layers", "Cortex.Losses",
                              "Cortex.Optimizers", "Cortex.Optimizers.Schedules", "Cortex.Serialization", "Cortex.Training"],
    };

    // Parameter lives in Cortex.Layers, so everything that handles parameters reaches sideways into
    // Layers; issue 17 (item 4) moves Parameter beside Tensor, which removes all three.
    private static readonly (string From, string To, string Why)[] KnownNamespaceViolations =
    [
        ("Cortex.Initializers", "Cortex.Layers", "Parameter (the Layers ↔ Initializers circle)"),
        ("Cortex.Losses", "Cortex.Layers", "Parameter (regularizers and parameter groups)"),
        ("Cortex.Optimizers", "Cortex.Layers", "Parameter"),
    ];

    [Fact]
    public void ProjectReferences_PointDownOnly()
    {
        string root = RepositoryRoot();
        var found = new List<(string From, string To)>();
        foreach (string csproj in Directory.GetFiles(Path.Combine(root, "src"), "*.csproj", SearchOption.AllDirectories))
        {
            string from = Path.GetFileNameWithoutExtension(csproj);
            foreach (var reference in XDocument.Load(csproj).Descendants("ProjectReference"))
            {
                string include = (string?)reference.Attribute("Include") ?? "";
                found.Add((from, Path.GetFileNameWithoutExtension(include.Replace('\\', '/'))));
            }
        }
        Assert.NotEmpty(found);
        AssertKnownProjects(found.Select(f => f.From).Distinct());
        // A ProjectReference to a floor above, or sideways, is never a known violation.
        var wrong = found.Where(f => !AllowedProjects[f.From].Contains(f.To)).Select(f => $"{f.From} → {f.To}").ToList();
        Assert.True(wrong.Count == 0, "ProjectReference reaching up or sideways: " + string.Join(", ", wrong) +
            ". See docs/architecture.md for the floors; a new project needs its line in LayeringTests.AllowedProjects.");
    }

    [Fact]
    public void AssemblyReferences_PointDownOnly_ExceptTheKnownViolations()
    {
        var found = new List<(string From, string To)>();
        foreach (string name in AllowedProjects.Keys.Where(n => n != "Cortex.Data.Digits"))   // data only, no assembly
        {
            var assembly = Assembly.Load(new AssemblyName(name));
            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                if (reference.Name is { } to && AllowedProjects.ContainsKey(to))
                    found.Add((name, to));
            }
        }
        Assert.Contains(("Cortex", "Cortex.Kernels"), found);   // the reader sees references at all
        AssertRatchet(found, AllowedProjects, KnownProjectViolations, "assembly");
    }

    [Fact]
    public void CortexNamespaces_PointDownOnly_ExceptTheKnownViolations()
    {
        string library = Path.Combine(RepositoryRoot(), "src", "Cortex");
        var found = new HashSet<(string From, string To)>();
        foreach (string file in Directory.GetFiles(library, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(library, file);
            if (relative.StartsWith("bin", StringComparison.Ordinal) || relative.StartsWith("obj", StringComparison.Ordinal))
                continue;
            string text = File.ReadAllText(file);
            string from = NamespaceLine().Match(text) is { Success: true } m ? m.Groups[1].Value
                : throw new InvalidDataException($"{file}: no file-scoped namespace line.");
            foreach (Match use in UsingLine().Matches(text))
            {
                string to = NamespaceOf(use.Groups[1].Value);
                if (to != from && to != "Cortex")
                    found.Add((from, to));
            }
        }
        AssertKnown(found.Select(f => f.From).Distinct(), AllowedNamespaces.Keys, "namespace", "AllowedNamespaces");
        AssertRatchet(found.ToList(), AllowedNamespaces, KnownNamespaceViolations, "namespace");
    }

    [Fact]
    public void Ratchet_ReportsANewReferenceAndAStaleViolation()
    {
        // The checker itself, on a made-up graph: Optimizers → Training is new, Losses → Layers is listed but gone.
        var e = Assert.Throws<Xunit.Sdk.TrueException>(() =>
            AssertRatchet([("Cortex.Optimizers", "Cortex.Training"), ("Cortex.Initializers", "Cortex.Layers"), ("Cortex.Optimizers", "Cortex.Layers")],
                AllowedNamespaces, KnownNamespaceViolations, "namespace"));
        Assert.Contains("new namespace reference reaching up or sideways: Cortex.Optimizers → Cortex.Training", e.Message, StringComparison.Ordinal);
        Assert.Contains("listed as known but no longer there (delete the line): Cortex.Losses → Cortex.Layers", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NamespaceOf_ResolvesAliasesToTheirNamespace()
    {
        Assert.Equal("Cortex.Tensors", NamespaceOf("Cortex.Tensors.Tensor"));
        Assert.Equal("Cortex.Optimizers.Schedules", NamespaceOf("Cortex.Optimizers.Schedules"));
        Assert.Equal("Cortex.Kernels", NamespaceOf("Cortex.Kernels.Reference"));
    }

    private static void AssertRatchet(List<(string From, string To)> found, Dictionary<string, string[]> allowed,
        (string From, string To, string Why)[] known, string kind)
    {
        var knownPairs = known.Select(k => (k.From, k.To)).ToHashSet();
        var fresh = found.Where(f => !allowed[f.From].Contains(f.To) && !knownPairs.Contains(f))
            .Select(f => $"{f.From} → {f.To}").Distinct().Order(StringComparer.Ordinal).ToList();
        var stale = knownPairs.Where(k => !found.Contains(k)).Select(k => $"{k.From} → {k.To}").Order(StringComparer.Ordinal).ToList();
        var problems = new List<string>();
        if (fresh.Count > 0)
            problems.Add($"new {kind} reference reaching up or sideways: {string.Join(", ", fresh)} (see docs/architecture.md)");
        if (stale.Count > 0)
            problems.Add($"listed as known but no longer there (delete the line): {string.Join(", ", stale)}");
        Assert.True(problems.Count == 0, string.Join("; ", problems) + ".");
    }

    private static void AssertKnownProjects(IEnumerable<string> projects) =>
        AssertKnown(projects, AllowedProjects.Keys, "project", "AllowedProjects");

    private static void AssertKnown(IEnumerable<string> names, IEnumerable<string> table, string kind, string tableName)
    {
        var missing = names.Except(table).ToList();
        Assert.True(missing.Count == 0, $"{kind}(s) without a floor: {string.Join(", ", missing)}. Add a line to LayeringTests.{tableName}.");
    }

    // The longest namespace of the layering tables that prefixes the name (an alias names a type).
    private static string NamespaceOf(string name)
    {
        string best = "Cortex";
        foreach (string candidate in AllowedNamespaces.Keys.Concat(AllowedProjects.Keys))
        {
            if ((name == candidate || name.StartsWith(candidate + ".", StringComparison.Ordinal)) && candidate.Length > best.Length)
                best = candidate;
        }
        return best;
    }

    private static string RepositoryRoot()
    {
        string? root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "Cortex.slnx")))
            root = Path.GetDirectoryName(root);
        return root ?? throw new InvalidOperationException($"LayeringTests: expected Cortex.slnx above {AppContext.BaseDirectory}, got none.");
    }

    // "namespace Cortex.Layers;" (file-scoped, as every file of the repository is).
    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceLine();

    // "using Cortex.Layers;", "using static Cortex.X.Y;", "using Tensor = Cortex.Tensors.Tensor;".
    // Not seen: fully qualified names in code, and the parent namespaces C# puts in scope by itself.
    [GeneratedRegex(@"^\s*using\s+(?:static\s+)?(?:\w+\s*=\s*)?(Cortex(?:\.\w+)*)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingLine();
}
