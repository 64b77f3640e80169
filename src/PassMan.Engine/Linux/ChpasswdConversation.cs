using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PassMan.Crypto;
using PassMan.Ssh;

namespace PassMan.Linux;

/// <summary>
/// Sets another account's password through a reconcile account: <c>sudo chpasswd</c> with the
/// <c>user:password</c> line on standard input. sudo is probed first with <c>sudo -n</c>; only
/// when it asks for a password is the reconcile account's password typed, at sudo's own prompt,
/// and the chpasswd line is written only after sudo has let the script through. So neither
/// password can be read by the wrong program: sudo never sees the new one, chpasswd never the
/// sudo one. Markers carry a random nonce, so nothing else the target prints can pass for them.
/// </summary>
public sealed class ChpasswdConversation : Conversation
{
    /// <summary>The exit status of the script when sudo did not let the reconcile account in.</summary>
    public const int SudoRefusedStatus = 91;

    private readonly string _userName;
    private readonly SecretBuffer _new;
    private readonly SecretBuffer? _sudoPassword;
    private readonly string _nonce;
    private int _promptsAnswered;

    /// <summary>Creates the conversation; the caller keeps and disposes both secrets.</summary>
    public ChpasswdConversation(string userName, SecretBuffer newPassword, SecretBuffer? sudoPassword)
    {
        _userName = LinuxAccounts.RequireUserName(userName);
        _new = newPassword;
        _sudoPassword = sudoPassword;
        _nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
    }

    /// <summary>The script to run as the reconcile account. It holds no secret.</summary>
    public string Script => $$"""
        LC_ALL=C
        export LC_ALL
        if sudo -n true >/dev/null 2>&1; then
            echo '{{Marker("SUDO-READY")}}'
        else
            {{SudoValidate}} || { echo '{{Marker("SUDO-REFUSED")}}'; exit {{SudoRefusedStatus}}; }
        fi
        echo '{{Marker("CHPASSWD")}}'
        sudo -n chpasswd
        echo "{{Marker("EXIT")}} $?"
        """;

    /// <summary>
    /// How the script asks sudo to let the reconcile account in: at a prompt the conversation
    /// answers when the vault holds its password, else without one (sudo -n), which fails at once.
    /// </summary>
    private string SudoValidate => _sudoPassword is null
        ? "sudo -n -v"
        : $"sudo -S -p '{Marker("SUDO-PROMPT")}\n' -v";

    /// <summary>Whether sudo asked for the reconcile account's password.</summary>
    public bool SudoAskedPassword => _promptsAnswered > 0;

    /// <summary>Whether sudo asked again after the password was typed: it did not accept it.</summary>
    public bool SudoPasswordRejected { get; private set; }

    /// <summary>Whether the chpasswd line was written.</summary>
    public bool LineSent { get; private set; }

    /// <inheritdoc/>
    public override void OnOutput(string output, ConversationInput input)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(input);
        if (input.IsClosed)
        {
            return;
        }

        if (output.Contains(Marker("CHPASSWD"), StringComparison.Ordinal))
        {
            WriteLine(input);
            LineSent = true;
            input.Close();
            return;
        }

        var prompts = Count(output, Marker("SUDO-PROMPT"));
        if (prompts > _promptsAnswered)
        {
            if (prompts > 1 || _sudoPassword is null)
            {
                // Asked again: the password was wrong, and typing anything more would be guessing.
                SudoPasswordRejected = prompts > 1;
                input.Close();
                return;
            }

            input.WriteLine(_sudoPassword.Span);
            _promptsAnswered = prompts;
        }
    }

    /// <summary>Whether the script reached chpasswd and chpasswd succeeded.</summary>
    public bool Succeeded(CommandResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return LineSent
            && result.ExitStatus == 0
            && result.Output.Contains(Marker("EXIT") + " 0\n", StringComparison.Ordinal);
    }

    /// <summary>
    /// What the target printed, without the script's markers: sudo's and chpasswd's own words,
    /// for an error message.
    /// </summary>
    public string Explain(CommandResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var lines = result.Output.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n');
        var words = new StringBuilder();
        foreach (var line in lines)
        {
            var text = line.Trim();
            if (text.Length > 0 && !text.Contains(_nonce, StringComparison.Ordinal))
            {
                words.Append(words.Length > 0 ? " " : string.Empty).Append(text);
            }
        }

        return words.ToString();
    }

    /// <inheritdoc/>
    public override string Scrub(string text) => SecretMask.Apply(text, _new, _sudoPassword);

    private void WriteLine(ConversationInput input)
    {
        var name = Encoding.UTF8.GetBytes(_userName + ":");
        using var line = new SecretBuffer(name.Length + _new.Length);
        name.CopyTo(line.Span);
        _new.Span.CopyTo(line.Span[name.Length..]);
        input.WriteLine(line.Span);
    }

    private string Marker(string name) => string.Create(CultureInfo.InvariantCulture, $"PASSMAN-{_nonce}-{name}");

    private static int Count(string text, string marker)
    {
        var count = 0;
        for (var at = text.IndexOf(marker, StringComparison.Ordinal); at >= 0;
            at = text.IndexOf(marker, at + marker.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
