using System;
using System.Globalization;
using PassMan.Crypto;
using PassMan.Ssh;

namespace PassMan.Linux;

/// <summary>
/// Changes passwords on Linux targets: by the account itself with <c>passwd</c>, or for it through
/// a reconcile account with <c>sudo chpasswd</c>. Every secret goes over standard input.
/// </summary>
public static class LinuxAccounts
{
    /// <summary>
    /// Checks that a user name can be named to passwd and chpasswd: no colon, which chpasswd
    /// splits on, no white space or control character, and not an option.
    /// </summary>
    public static string RequireUserName(string userName)
    {
        ArgumentNullException.ThrowIfNull(userName);
        foreach (var c in userName)
        {
            if (c == ':' || char.IsWhiteSpace(c) || char.IsControl(c))
            {
                throw NotALinuxUser(userName);
            }
        }

        return userName.Length == 0 || userName[0] == '-' ? throw NotALinuxUser(userName) : userName;
    }

    /// <summary>
    /// Checks that a password can travel as one line of standard input: no line break and no NUL.
    /// Fails with UnsupportedPasswordCharacter, naming the account but never the value.
    /// </summary>
    public static void RequireTransferable(SecretBuffer password, string account)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Span.IndexOfAny((byte)'\n', (byte)'\r', (byte)0) >= 0)
        {
            throw new PassManException(
                ErrorIds.UnsupportedPasswordCharacter,
                PassManErrorKind.InvalidArgument,
                $"{account}: the new password holds a line break or a NUL character, which no Linux password "
                    + "change can take. Nothing was changed.",
                account);
        }
    }

    /// <summary>
    /// Runs passwd as the logged-in account. Returns null when passwd changed the password, or
    /// the reason the outcome is not known (passwd took the new password twice and then failed or
    /// fell silent: the target may have it), for the caller to find out by logging in. Fails,
    /// with the target known to be unchanged, with PasswordRefused and passwd's reason when a
    /// rule refuses the new password, LoginFailed when passwd does not take the current one, and
    /// TargetCommandFailed when passwd stops before the new password was typed twice.
    /// </summary>
    /// <remarks>
    /// passwd runs in the account's own login shell, which the account controls (its shell
    /// start-up files run first): a change made this way is only as private as the account.
    /// After a checkout to someone who may not keep the password, reset through the reconcile
    /// account (-Reconcile).
    /// </remarks>
    public static string? ChangeOwnPassword(
        SshSession session,
        string userName,
        SecretBuffer current,
        SecretBuffer next)
    {
        ArgumentNullException.ThrowIfNull(session);
        var account = $"{session.Endpoint.TargetName}/{userName}";
        RequireTransferable(next, account);
        var conversation = new PasswdConversation(current, next);
        CommandResult result;
        try
        {
            result = session.Run("LC_ALL=C exec /usr/bin/passwd", conversation);
        }
        catch (PassManException failure) when (failure.ErrorId == ErrorIds.TargetCommandFailed
            && conversation.TypedNewTwice)
        {
            return failure.Message;
        }

        if (conversation.Stage == PasswdStage.Sent && result.ExitStatus == 0)
        {
            return null;
        }

        // Masked again once joined on one line, which may piece a secret together.
        var said = conversation.Scrub(Summary(conversation.Scrub(result.Output)));
        if (conversation.TypedNewTwice && conversation.Stage != PasswdStage.Refused)
        {
            return $"passwd took the new password and then failed ({said})";
        }

        throw conversation.Stage switch
        {
            PasswdStage.Refused or PasswdStage.AwaitingCurrent => new PassManException(
                ErrorIds.PasswordRefused,
                PassManErrorKind.InvalidArgument,
                $"{account}: the target refused the new password: {Reason(conversation.RefusalReason ?? said)}. The "
                    + "password on the target is unchanged. Make the account's policy match the target's rules "
                    + "(Set-PMPolicy).",
                account),
            PasswdStage.AwaitingNew => new PassManException(
                ErrorIds.LoginFailed,
                PassManErrorKind.AuthenticationFailed,
                $"{account}: passwd did not take the current password, though it logged in ({said}). The "
                    + "password on the target is unchanged.",
                account),
            _ => CommandFailed(account, "passwd", result, said),
        };
    }

    /// <summary>
    /// Sets <paramref name="userName"/>'s password through the logged-in reconcile account with
    /// sudo chpasswd. Returns null when chpasswd succeeded, or the reason the outcome is not known
    /// (the line was written and then chpasswd failed or fell silent). Fails, with the target
    /// known to be unchanged, with SudoRefused when sudo does not let the reconcile account run
    /// chpasswd.
    /// </summary>
    public static string? SetPassword(
        SshSession session,
        string reconcileUserName,
        string userName,
        SecretBuffer next,
        SecretBuffer? sudoPassword)
    {
        ArgumentNullException.ThrowIfNull(session);
        var account = $"{session.Endpoint.TargetName}/{userName}";
        RequireTransferable(next, account);
        using var line = SudoConversation.ChpasswdLine(userName, next);
        var (result, conversation) = RunAsRoot(session, reconcileUserName, account, "chpasswd", line, sudoPassword);
        if (conversation.Succeeded(result))
        {
            return null;
        }

        var said = Summary(conversation.Explain(result));
        if (said.Contains("a password is required", StringComparison.Ordinal))
        {
            // sudo let the probe through and then asked again: its timestamp does not carry over
            // (timestamp_timeout=0, for one), so chpasswd never ran.
            throw new PassManException(
                ErrorIds.SudoRefused,
                PassManErrorKind.AuthenticationFailed,
                $"{account}: sudo accepted the reconcile account's password but asked again for chpasswd "
                    + $"({said}); its time stamp does not last (timestamp_timeout). Give the reconcile account "
                    + "a NOPASSWD rule for chpasswd. Nothing was changed on the target.",
                account);
        }

        return $"sudo chpasswd failed after the line was written ({said})";
    }

    /// <summary>
    /// Runs <paramref name="command"/> (shell text without secrets) as root through the logged-in
    /// reconcile account, with <paramref name="input"/> as its one line of input. Fails with
    /// SudoRefused, naming <paramref name="account"/>, when sudo does not let it through; returns
    /// the result, successful or not, once the command ran.
    /// </summary>
    internal static (CommandResult Result, SudoConversation Conversation) RunAsRoot(
        SshSession session,
        string reconcileUserName,
        string account,
        string command,
        SecretBuffer? input,
        SecretBuffer? sudoPassword)
    {
        var conversation = new SudoConversation(command, input, sudoPassword);
        CommandResult result;
        try
        {
            result = session.Run(conversation.Script, conversation);
        }
        catch (PassManException failure) when (failure.ErrorId == ErrorIds.TargetCommandFailed)
        {
            // Cut off or timed out: before the line was written, the command cannot have run.
            if (conversation.LineSent)
            {
                return (new CommandResult(null, failure.Message), conversation);
            }

            throw new PassManException(
                ErrorIds.SudoRefused,
                PassManErrorKind.AuthenticationFailed,
                $"{account}: sudo did not let the reconcile account {reconcileUserName} through: {failure.Message} "
                    + "Nothing was changed on the target.",
                account,
                failure);
        }

        if (result.ExitStatus != SudoConversation.SudoRefusedStatus && conversation.LineSent)
        {
            return (result, conversation);
        }

        var why = conversation.SudoPasswordRejected
            ? "sudo did not accept the reconcile account's password"
            : sudoPassword is not null
                ? $"sudo did not let the reconcile account run {command.Split(' ')[0]}"
                : "sudo asks the reconcile account for a password, and the vault holds none for it";
        throw new PassManException(
            ErrorIds.SudoRefused,
            PassManErrorKind.AuthenticationFailed,
            $"{account}: {why} ({session.Endpoint.TargetName}/{reconcileUserName}: "
                + $"{Summary(conversation.Explain(result))}). Nothing was changed on the target.",
            account);
    }

    private static PassManException CommandFailed(string account, string what, CommandResult result, string said) =>
        new(
            ErrorIds.TargetCommandFailed,
            PassManErrorKind.InvalidOperation,
            $"{account}: {what} failed on the target (exit status "
                + $"{result.ExitStatus?.ToString(CultureInfo.InvariantCulture) ?? "none"}): {said}",
            account);

    /// <summary>The last lines of what the target said, on one line, for a message.</summary>
    private static string Summary(string output)
    {
        var lines = output.Replace("\r", string.Empty, StringComparison.Ordinal)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var text = string.Join(" ", lines[Math.Max(0, lines.Length - 4)..]);
        return text.Length == 0 ? "it printed nothing" : text;
    }

    private static string Reason(string text) => text.Length == 0 ? "it gave no reason" : text.TrimEnd('.');

    private static PassManException NotALinuxUser(string userName) => new(
        ErrorIds.InvalidName,
        PassManErrorKind.InvalidArgument,
        $"'{userName}' cannot be a Linux user name for a password change: it is empty, starts with '-', or holds "
            + "a colon, white space or a control character.",
        userName);
}
