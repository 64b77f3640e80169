# Turns the markdown help in docs/<culture>/ into the help PowerShell reads: one MAML file for the
# cmdlets and a text file per about_ topic. Syntax, types, positions and pipeline input come from
# the built cmdlets themselves, so the pages hold only what a person has to write.

Set-StrictMode -Version Latest

$script:DefaultParameterHelp = @{
    WhatIf  = 'Shows what would happen if the cmdlet runs. The cmdlet is not run.'
    Confirm = 'Prompts you for confirmation before running the cmdlet.'
}

function ConvertFrom-HelpMarkdown {
    <#
    .SYNOPSIS
    Reads one cmdlet help page into its sections.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory)]
        [string] $Path
    )

    $lines = (Get-Content -LiteralPath $Path -Raw) -replace "`r`n", "`n" -split "`n"
    $page = @{
        Name        = $null
        Synopsis    = ''
        Description = ''
        Examples    = [System.Collections.Generic.List[hashtable]]::new()
        Parameters  = [ordered]@{}
        Inputs      = [System.Collections.Generic.List[hashtable]]::new()
        Outputs     = [System.Collections.Generic.List[hashtable]]::new()
        Notes       = ''
        Links       = [System.Collections.Generic.List[string]]::new()
        Setup       = ''
    }

    $section = $null
    $item = $null
    $buffer = [System.Text.StringBuilder]::new()
    $inFence = $false

    $flush = {
        $text = $buffer.ToString().Trim()
        $null = $buffer.Clear()
        if ($null -eq $section) { return }
        switch ($section) {
            'SYNOPSIS' { $page.Synopsis = $text }
            'DESCRIPTION' { $page.Description = $text }
            'NOTES' { $page.Notes = $text }
            'EXAMPLES' { if ($item) { $page.Examples.Add((Split-Example -Title $item -Text $text)) } }
            'PARAMETERS' { if ($item) { $page.Parameters[$item.TrimStart('-')] = $text } }
            'INPUTS' { if ($item) { $page.Inputs.Add(@{ Type = $item; Description = $text }) } }
            'OUTPUTS' { if ($item) { $page.Outputs.Add(@{ Type = $item; Description = $text }) } }
            'RELATED LINKS' {
                foreach ($match in [regex]::Matches($text, '\[([^\]]+)\]')) { $page.Links.Add($match.Groups[1].Value) }
            }
        }
    }

    foreach ($line in $lines) {
        if ($line -match '^```') { $inFence = -not $inFence }
        if (-not $inFence -and $line -match '^<!--\s*example setup:\s*(.+?)\s*-->$') {
            $page.Setup = $Matches[1]
            continue
        }
        if (-not $inFence -and $line -match '^# (\S+)\s*$' -and -not $page.Name) {
            $page.Name = $Matches[1]
            continue
        }
        if (-not $inFence -and $line -match '^## (.+?)\s*$') {
            & $flush
            $section = $Matches[1].ToUpperInvariant()
            $item = $null
            continue
        }
        if (-not $inFence -and $line -match '^### (.+?)\s*$') {
            & $flush
            $item = $Matches[1]
            continue
        }
        $null = $buffer.AppendLine($line)
    }
    & $flush

    if (-not $page.Name) { throw "$Path has no '# Name' title." }
    $page
}

function Split-Example {
    param([string] $Title, [string] $Text)

    $code = [System.Text.StringBuilder]::new()
    $remarks = [System.Text.StringBuilder]::new()
    $fence = $null
    foreach ($line in $Text -split "`n") {
        if ($null -eq $fence -and $line -match '^```(\w*)') {
            $fence = $Matches[1]
            if ($fence -ne 'powershell') { $null = $remarks.AppendLine() }
            continue
        }
        if ($null -ne $fence -and $line -match '^```') {
            $fence = $null
            continue
        }
        if ($fence -eq 'powershell') { $null = $code.AppendLine($line) }
        elseif ($null -ne $fence) { $null = $remarks.AppendLine('    ' + $line) }
        else { $null = $remarks.AppendLine($line) }
    }

    @{
        Title   = $Title -replace '^Example \d+:\s*', ''
        Code    = $code.ToString().TrimEnd()
        Remarks = $remarks.ToString().Trim()
    }
}

function Export-MamlHelp {
    <#
    .SYNOPSIS
    Writes the MAML help of every cmdlet of a loaded module from its markdown pages.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $ModuleName,
        [Parameter(Mandatory)] [string] $DocsPath,
        [Parameter(Mandatory)] [string] $OutputPath
    )

    $commonParameters = [System.Management.Automation.Cmdlet]::CommonParameters
    $settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
    $writer = [System.Xml.XmlWriter]::Create($OutputPath, $settings)
    $maml = 'http://schemas.microsoft.com/maml/2004/10'
    $command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    $dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
    try {
        $writer.WriteStartDocument()
        $writer.WriteStartElement('helpItems', 'http://msh')
        $writer.WriteAttributeString('schema', 'maml')

        foreach ($cmdlet in Get-Command -Module $ModuleName -CommandType Cmdlet | Sort-Object Name) {
            $pagePath = Join-Path $DocsPath "$($cmdlet.Name).md"
            if (-not (Test-Path -LiteralPath $pagePath)) { throw "$($cmdlet.Name) has no help page at $pagePath." }
            $page = ConvertFrom-HelpMarkdown -Path $pagePath

            $parameters = @($cmdlet.Parameters.Values | Where-Object { $_.Name -notin $commonParameters })
            foreach ($parameter in $parameters) {
                if (-not $page.Parameters.Contains($parameter.Name) -and
                    -not $script:DefaultParameterHelp.ContainsKey($parameter.Name)) {
                    throw "$pagePath does not describe the parameter -$($parameter.Name)."
                }
            }
            foreach ($documented in $page.Parameters.Keys) {
                if ($documented -notin $parameters.Name) {
                    throw "$pagePath describes -$documented, which $($cmdlet.Name) does not have."
                }
            }
            if ($page.Examples.Count -eq 0) { throw "$pagePath has no example." }

            $writer.WriteStartElement('command', 'command', $command)
            $writer.WriteAttributeString('xmlns', 'maml', $null, $maml)
            $writer.WriteAttributeString('xmlns', 'dev', $null, $dev)

            $writer.WriteStartElement('command', 'details', $command)
            $writer.WriteElementString('command', 'name', $command, $cmdlet.Name)
            $writer.WriteElementString('command', 'verb', $command, $cmdlet.Verb)
            $writer.WriteElementString('command', 'noun', $command, $cmdlet.Noun)
            Write-Paragraphs $writer 'description' $page.Synopsis
            $writer.WriteEndElement()

            Write-Paragraphs $writer 'description' $page.Description

            $writer.WriteStartElement('command', 'syntax', $command)
            foreach ($set in $cmdlet.ParameterSets) {
                $writer.WriteStartElement('command', 'syntaxItem', $command)
                $writer.WriteElementString('maml', 'name', $maml, $cmdlet.Name)
                foreach ($parameter in $set.Parameters | Where-Object { $_.Name -notin $commonParameters }) {
                    Write-Parameter $writer $page $parameter $cmdlet.Parameters[$parameter.Name]
                }
                $writer.WriteEndElement()
            }
            $writer.WriteEndElement()

            $writer.WriteStartElement('command', 'parameters', $command)
            foreach ($parameter in $parameters | Sort-Object Name) {
                $setParameter = $cmdlet.ParameterSets.Parameters |
                    Where-Object Name -EQ $parameter.Name | Select-Object -First 1
                Write-Parameter $writer $page $setParameter $parameter
            }
            $writer.WriteEndElement()

            Write-TypeList $writer 'inputTypes' 'inputType' $page.Inputs
            Write-TypeList $writer 'returnValues' 'returnValue' $page.Outputs

            if ($page.Notes) {
                $writer.WriteStartElement('maml', 'alertSet', $maml)
                $writer.WriteStartElement('maml', 'alert', $maml)
                Write-ParagraphList $writer $page.Notes
                $writer.WriteEndElement()
                $writer.WriteEndElement()
            }

            $writer.WriteStartElement('command', 'examples', $command)
            $number = 0
            foreach ($example in $page.Examples) {
                $number++
                $writer.WriteStartElement('command', 'example', $command)
                $title = "--------- Example ${number}: $($example.Title) ---------"
                $writer.WriteElementString('maml', 'title', $maml, $title)
                $writer.WriteElementString('dev', 'code', $dev, $example.Code)
                $writer.WriteStartElement('dev', 'remarks', $dev)
                Write-ParagraphList $writer $example.Remarks
                $writer.WriteEndElement()
                $writer.WriteEndElement()
            }
            $writer.WriteEndElement()

            $writer.WriteStartElement('command', 'relatedLinks', $command)
            foreach ($link in $page.Links) {
                $writer.WriteStartElement('maml', 'navigationLink', $maml)
                $writer.WriteElementString('maml', 'linkText', $maml, $link)
                $writer.WriteElementString('maml', 'uri', $maml, '')
                $writer.WriteEndElement()
            }
            $writer.WriteEndElement()

            $writer.WriteEndElement()
        }

        $writer.WriteEndElement()
        $writer.WriteEndDocument()
    }
    finally {
        $writer.Dispose()
    }
}

function Export-AboutHelp {
    <#
    .SYNOPSIS
    Writes an about_ topic as the plain text that Get-Help shows.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [string] $OutputPath
    )

    $text = (Get-Content -LiteralPath $Path -Raw) -replace "`r`n", "`n"
    $lines = foreach ($line in $text -split "`n") {
        if ($line -match '^```') { continue }
        if ($line -match '^#+\s+(.*)$') { $Matches[1].ToUpperInvariant(); continue }
        $line
    }
    Set-Content -LiteralPath $OutputPath -Value ($lines -join [Environment]::NewLine) -Encoding utf8NoBOM
}

function Write-Parameter($writer, $page, $setParameter, $parameter) {
    $maml = 'http://schemas.microsoft.com/maml/2004/10'
    $command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    $dev = 'http://schemas.microsoft.com/maml/dev/2004/10'

    $pipeline = @(
        if ($setParameter.ValueFromPipeline) { 'ByValue' }
        if ($setParameter.ValueFromPipelineByPropertyName) { 'ByPropertyName' }
    )
    $isSwitch = $parameter.ParameterType -eq [switch]
    $typeName = if ($parameter.ParameterType.IsGenericType) {
        [Nullable]::GetUnderlyingType($parameter.ParameterType).Name
    }
    else { $parameter.ParameterType.Name }

    $writer.WriteStartElement('command', 'parameter', $command)
    $writer.WriteAttributeString('required', ([string]$setParameter.IsMandatory).ToLowerInvariant())
    $writer.WriteAttributeString('variableLength', 'true')
    $wildcards = $parameter.Attributes |
        Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }
    $globbing = [bool]$wildcards
    $writer.WriteAttributeString('globbing', ([string]$globbing).ToLowerInvariant())
    $pipelineInput = if ($pipeline) { "True ($($pipeline -join ', '))" } else { 'False' }
    $position = if ($setParameter.Position -ge 0) { [string]$setParameter.Position } else { 'named' }
    $aliases = if ($parameter.Aliases.Count) { $parameter.Aliases -join ', ' } else { 'none' }
    $writer.WriteAttributeString('pipelineInput', $pipelineInput)
    $writer.WriteAttributeString('position', $position)
    $writer.WriteAttributeString('aliases', $aliases)
    $writer.WriteElementString('maml', 'name', $maml, $parameter.Name)
    $description = if ($page.Parameters.Contains($parameter.Name)) { $page.Parameters[$parameter.Name] }
    else { $script:DefaultParameterHelp[$parameter.Name] }
    Write-Paragraphs $writer 'description' $description
    if (-not $isSwitch) {
        $writer.WriteStartElement('command', 'parameterValue', $command)
        $writer.WriteAttributeString('required', 'true')
        $writer.WriteAttributeString('variableLength', 'false')
        $writer.WriteString($typeName)
        $writer.WriteEndElement()
    }
    $writer.WriteStartElement('dev', 'type', $dev)
    $writer.WriteElementString('maml', 'name', $maml, $typeName)
    $writer.WriteEndElement()
    $writer.WriteEndElement()
}

function Write-TypeList($writer, [string] $listName, [string] $itemName, $entries) {
    $maml = 'http://schemas.microsoft.com/maml/2004/10'
    $command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    $dev = 'http://schemas.microsoft.com/maml/dev/2004/10'

    $writer.WriteStartElement('command', $listName, $command)
    foreach ($entry in $entries) {
        $writer.WriteStartElement('command', $itemName, $command)
        $writer.WriteStartElement('dev', 'type', $dev)
        $writer.WriteElementString('maml', 'name', $maml, $entry.Type)
        $writer.WriteEndElement()
        Write-Paragraphs $writer 'description' $entry.Description
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()
}

function Write-Paragraphs($writer, [string] $element, [string] $text) {
    $writer.WriteStartElement('maml', $element, 'http://schemas.microsoft.com/maml/2004/10')
    Write-ParagraphList $writer $text
    $writer.WriteEndElement()
}

function Write-ParagraphList($writer, [string] $text) {
    # Blank lines separate paragraphs, and so does each "- " bullet; lines inside a paragraph join,
    # except indented (code) lines.
    $paragraphs = foreach ($block in ($text -split "\n\s*\n")) {
        if ($block -match '^- ') { $block -split "\n(?=- )" } else { $block }
    }
    foreach ($paragraph in $paragraphs) {
        $lines = $paragraph -split "`n"
        $isCode = [bool]($lines | Where-Object { $_ -match '^    ' })
        $joined = if ($isCode) { $paragraph } else { ($lines | ForEach-Object Trim) -join ' ' }
        if ($joined.Trim()) {
            $writer.WriteElementString('maml', 'para', 'http://schemas.microsoft.com/maml/2004/10', $joined)
        }
    }
}

Export-ModuleMember -Function ConvertFrom-HelpMarkdown, Export-MamlHelp, Export-AboutHelp
