using System.Text;

namespace PassMan.Model;

/// <summary>
/// A PowerShell wildcard pattern (* ? [set] with the backtick as escape), matched without regard
/// to case by turning it into a SQLite GLOB pattern over the folded name keys, so that the filter
/// runs in SQL and a literal prefix can use the index.
/// </summary>
public sealed class NamePattern
{
    private NamePattern(string text, string glob, string literalKey, bool hasWildcards)
    {
        Text = text;
        Glob = glob;
        LiteralKey = literalKey;
        HasWildcards = hasWildcards;
    }

    /// <summary>The pattern as given.</summary>
    public string Text { get; }

    /// <summary>The GLOB pattern over folded keys.</summary>
    public string Glob { get; }

    /// <summary>The folded name the pattern stands for when it has no wildcards (escapes removed).</summary>
    public string LiteralKey { get; }

    /// <summary>Whether the pattern has wildcard characters; without, it names one thing.</summary>
    public bool HasWildcards { get; }

    /// <summary>Parses a PowerShell wildcard pattern.</summary>
    public static NamePattern Parse(string pattern)
    {
        var glob = new StringBuilder();
        var literal = new StringBuilder();
        var unescaped = new StringBuilder();
        var hasWildcards = false;

        void FlushLiteral()
        {
            unescaped.Append(literal);
            foreach (var c in Names.Fold(literal.ToString()))
            {
                glob.Append(c is '*' or '?' or '[' ? "[" + c + "]" : c.ToString());
            }

            literal.Clear();
        }

        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '`' && i + 1 < pattern.Length)
            {
                literal.Append(pattern[++i]);
            }
            else if (c is '*' or '?')
            {
                FlushLiteral();
                glob.Append(c);
                hasWildcards = true;
            }
            else if (c == '[' && pattern.IndexOf(']', i + 1) is var end && end > i + 1)
            {
                FlushLiteral();
                glob.Append('[').Append(Names.Fold(pattern[(i + 1)..end])).Append(']');
                hasWildcards = true;
                i = end;
            }
            else
            {
                literal.Append(c);
            }
        }

        FlushLiteral();
        return new NamePattern(pattern, glob.ToString(), Names.Fold(unescaped.ToString()), hasWildcards);
    }
}
