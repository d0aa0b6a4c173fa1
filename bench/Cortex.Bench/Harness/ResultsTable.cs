// ResultsTable.cs — renders result rows as a console table: median with min–max for each side,
// the Cortex/peer ratio, and the share of the machine's peak where the unit has one.
using System.Globalization;
using Spectre.Console;

namespace Cortex.Bench.Harness;

/// <summary>Writes <see cref="ResultRow"/>s as a table to the console.</summary>
public static class ResultsTable
{
    /// <summary>Writes one table for <paramref name="rows"/>; <paramref name="peerName"/> heads the peer's column.</summary>
    public static void Write(IAnsiConsole console, IReadOnlyList<ResultRow> rows, string peerName)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(rows);
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("case")
            .AddColumn("shape")
            .AddColumn(new TableColumn("unit"))
            .AddColumn(new TableColumn("Cortex  median (min–max)").RightAligned())
            .AddColumn(new TableColumn($"{Markup.Escape(peerName)}  median (min–max)").RightAligned())
            .AddColumn(new TableColumn($"Cortex/{Markup.Escape(peerName)}").RightAligned())
            .AddColumn(new TableColumn("Cortex % peak").RightAligned())
            .AddColumn(new TableColumn($"{Markup.Escape(peerName)} % peak").RightAligned())
            .AddColumn(new TableColumn("check").RightAligned());
        foreach (var row in rows)
        {
            table.AddRow(
                Markup.Escape(row.Name),
                Markup.Escape(row.Details),
                Markup.Escape(row.Unit),
                Markup.Escape(Side(row.Cortex, row.Note)),
                Markup.Escape(Side(row.Peer, null)),
                Markup.Escape(Ratio(row.Ratio)),
                Markup.Escape(Percent(row.CortexPercentOfPeak)),
                Markup.Escape(Percent(row.PeerPercentOfPeak)),
                Markup.Escape(row.Check is { } check ? check.ToString("0.0e+0", CultureInfo.InvariantCulture) : "—"));
        }
        console.Write(table);
        foreach (var row in rows.Where(r => r.Note is not null))
            console.MarkupLineInterpolated($"[grey]{row.Name}: {row.Note}[/]");
    }

    /// <summary>"123.4 (120.1–125.0)", or a dash (or "skipped") when the side did not run.</summary>
    public static string Side(Statistic? value, string? note) => value is { } s
        ? $"{Number(s.Median)} ({Number(s.Min)}–{Number(s.Max)})"
        : note is null ? "—" : "skipped";

    /// <summary>Three significant digits, without exponent for everyday magnitudes.</summary>
    public static string Number(double value) => Math.Abs(value) switch
    {
        >= 100 => value.ToString("0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("0.0", CultureInfo.InvariantCulture),
        >= 1 => value.ToString("0.00", CultureInfo.InvariantCulture),
        >= 0.001 => value.ToString("0.000", CultureInfo.InvariantCulture),
        0 => "0",
        _ => value.ToString("0.00e+0", CultureInfo.InvariantCulture),
    };

    private static string Ratio(double? ratio) => ratio is { } r ? $"{Number(r)}×" : "—";

    private static string Percent(double? percent) => percent is { } p ? $"{Number(p)} %" : "—";
}
