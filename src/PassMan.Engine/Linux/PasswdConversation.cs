using System;
using System.Text.RegularExpressions;
using PassMan.Crypto;
using PassMan.Ssh;

namespace PassMan.Linux;

/// <summary>
/// Answers <c>passwd</c> run by the account itself: the current password, then the new one
/// twice, each only once its prompt is on the screen. A new-password prompt that comes back
/// after the new password was typed is the refusal of a quality rule; the text before it is the
/// reason, which the conversation keeps. The prompts are read in the C locale.
/// </summary>
public sealed class PasswdConversation : Conversation
{
    // A prompt is the last thing printed, with nothing after it but the space passwd leaves.
    // Prompts write "password" in lower case or with a capital P; pam_pwquality's "BAD PASSWORD:"
    // that starts a refusal is no prompt, even while the rest of its line is still on its way.
    private const string Password = "(?-i:[Pp]assword)";
    private static readonly Regex s_currentPrompt =
        Prompt($@"(\(current\) (UNIX )?{Password}|current {Password}|{Password})");
    private static readonly Regex s_newPrompt = Prompt($@"(new (UNIX )?{Password}|enter new (UNIX )?{Password})");
    private static readonly Regex s_retypePrompt = Prompt($@"(retype|re-enter|reenter) new (UNIX )?{Password}");

    private readonly SecretBuffer _current;
    private readonly SecretBuffer _new;
    private int _answered;

    /// <summary>Creates the conversation; the caller keeps and disposes both passwords.</summary>
    public PasswdConversation(SecretBuffer currentPassword, SecretBuffer newPassword)
    {
        _current = currentPassword;
        _new = newPassword;
    }

    /// <summary>How far the dialogue got.</summary>
    public PasswdStage Stage { get; private set; } = PasswdStage.AwaitingCurrent;

    /// <summary>What passwd printed between the new password and its prompt coming back, secrets masked.</summary>
    public string? RefusalReason { get; private set; }

    /// <summary>
    /// Whether the new password was typed at both of its prompts: from then on passwd may have
    /// changed the password, whatever it says afterwards.
    /// </summary>
    public bool TypedNewTwice { get; private set; }

    /// <inheritdoc/>
    public override void OnOutput(string output, ConversationInput input)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(input);
        if (input.IsClosed || output.Length == _answered)
        {
            return;
        }

        var fresh = output[_answered..];
        if (s_retypePrompt.IsMatch(fresh))
        {
            Answer(PasswdStage.AwaitingRetype, PasswdStage.Sent, _new, output, fresh, input);
        }
        else if (s_newPrompt.IsMatch(fresh))
        {
            if (Stage is PasswdStage.AwaitingRetype or PasswdStage.Sent)
            {
                // The prompt came back: the new password was refused, and the reason is above it.
                RefusalReason = Reason(Scrub(s_newPrompt.Replace(fresh, string.Empty)));
                Stage = PasswdStage.Refused;
                input.Close();
                return;
            }

            Answer(PasswdStage.AwaitingNew, PasswdStage.AwaitingRetype, _new, output, fresh, input);
        }
        else if (s_currentPrompt.IsMatch(fresh))
        {
            Answer(PasswdStage.AwaitingCurrent, PasswdStage.AwaitingNew, _current, output, fresh, input);
        }
    }

    /// <inheritdoc/>
    public override string Scrub(string text) => SecretMask.Apply(text, _current, _new);

    private void Answer(
        PasswdStage expected,
        PasswdStage next,
        SecretBuffer secret,
        string output,
        string fresh,
        ConversationInput input)
    {
        if (Stage != expected)
        {
            // A prompt out of turn: a passwd that is not the one this dialogue knows. Stop typing.
            RefusalReason = Reason(Scrub(fresh));
            Stage = PasswdStage.Unexpected;
            input.Close();
            return;
        }

        input.WriteLine(secret.Span);
        _answered = output.Length;
        Stage = next;
        TypedNewTwice |= next == PasswdStage.Sent;
    }

    /// <summary>
    /// The text on one line. Masked again once joined: joining may piece a secret together from
    /// parts the target printed on lines of their own.
    /// </summary>
    private string Reason(string text)
    {
        var lines = text.Replace("\r", string.Empty, StringComparison.Ordinal)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return Scrub(string.Join(" ", lines));
    }

    // \z, not $: a line that ends in a line break waits for no answer, whatever words it holds.
    private static Regex Prompt(string pattern) =>
        new($@"(^|\n)[^\n]*{pattern}: ?\z", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
}

/// <summary>How far a passwd dialogue got.</summary>
public enum PasswdStage
{
    /// <summary>Nothing typed yet.</summary>
    AwaitingCurrent,

    /// <summary>The current password was typed.</summary>
    AwaitingNew,

    /// <summary>The new password was typed once.</summary>
    AwaitingRetype,

    /// <summary>The new password was typed twice.</summary>
    Sent,

    /// <summary>The new password was refused, for <see cref="PasswdConversation.RefusalReason"/>.</summary>
    Refused,

    /// <summary>passwd asked something the dialogue does not know.</summary>
    Unexpected,
}
