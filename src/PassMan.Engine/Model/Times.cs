using System;
using System.Globalization;

namespace PassMan.Model;

/// <summary>
/// How PassMan's output objects show times: ISO 8601 in UTC, to the second, as text. Text keeps the
/// form through ConvertTo-Json and Export-Csv alike, and sorts in time order.
/// </summary>
public static class Times
{
    /// <summary>The format of every time PassMan shows.</summary>
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    /// <summary>The time as ISO 8601 UTC text, or null.</summary>
    public static string? Show(DateTimeOffset? time) =>
        time?.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);
}
