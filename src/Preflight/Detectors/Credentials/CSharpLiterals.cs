using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Preflight.Findings;

namespace Preflight.Detectors.Credentials;

/// <summary>
/// C# source read as a Roslyn syntax tree (no compilation): string literals assigned to or initialising
/// credential-named variables, fields, properties and named arguments, and <c>new NetworkCredential(user, "literal")</c>.
/// </summary>
internal static class CSharpLiterals
{
    public static void Scan(SyntaxTree tree, string path, List<SecretHit> hits, CancellationToken cancellationToken)
    {
        var root = tree.GetRoot(cancellationToken);
        foreach (var node in root.DescendantNodes())
        {
            switch (node)
            {
                case VariableDeclaratorSyntax { Initializer.Value: var value } v:
                    Named(v.Identifier.ValueText, value, path, hits);
                    break;
                case PropertyDeclarationSyntax { Initializer.Value: var value } p:
                    Named(p.Identifier.ValueText, value, path, hits);
                    break;
                case PropertyDeclarationSyntax { ExpressionBody.Expression: var value } p:
                    Named(p.Identifier.ValueText, value, path, hits);
                    break;
                case AssignmentExpressionSyntax a when a.IsKind(SyntaxKind.SimpleAssignmentExpression):
                    Named(NameOf(a.Left), a.Right, path, hits);
                    break;
                case ArgumentSyntax { NameColon: { } nameColon } arg:
                    Named(nameColon.Name.Identifier.ValueText, arg.Expression, path, hits);
                    break;
                case AnonymousObjectMemberDeclaratorSyntax { NameEquals: { } nameEquals } anon:
                    Named(nameEquals.Name.Identifier.ValueText, anon.Expression, path, hits);
                    break;
                case BaseObjectCreationExpressionSyntax creation when IsNetworkCredential(creation):
                    if (creation.ArgumentList is { Arguments.Count: >= 2 } args && Literal(args.Arguments[1].Expression) is { } lit)
                    {
                        var (text, offset) = lit;
                        if (text.Length >= 3 && !Placeholders.IsPlaceholder(text))
                            hits.Add(new SecretHit(CredentialRules.NetworkCredentialPassword, "NetworkCredential password", 110, offset, text, "password",
                                CredentialRules.NetworkCredentialPassword.DefaultSeverity));
                    }
                    break;
            }
        }
    }

    private static bool IsNetworkCredential(BaseObjectCreationExpressionSyntax creation) => creation switch
    {
        ObjectCreationExpressionSyntax o => o.Type.ToString().EndsWith("NetworkCredential", StringComparison.Ordinal),
        ImplicitObjectCreationExpressionSyntax i => i.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax d } }
            && d.Type.ToString().EndsWith("NetworkCredential", StringComparison.Ordinal),
        _ => false,
    };

    private static string? NameOf(ExpressionSyntax left) => left switch
    {
        IdentifierNameSyntax id => id.Identifier.ValueText,
        MemberAccessExpressionSyntax m => m.Name.Identifier.ValueText,
        ElementAccessExpressionSyntax { ArgumentList.Arguments: [{ Expression: LiteralExpressionSyntax key }] } when key.IsKind(SyntaxKind.StringLiteralExpression) => key.Token.ValueText,
        ImplicitElementAccessSyntax { ArgumentList.Arguments: [{ Expression: LiteralExpressionSyntax key }] } when key.IsKind(SyntaxKind.StringLiteralExpression) => key.Token.ValueText,
        _ => null,
    };

    private static (string Text, int Offset)? Literal(ExpressionSyntax expression)
    {
        if (expression is not LiteralExpressionSyntax literal || !literal.IsKind(SyntaxKind.StringLiteralExpression)) return null;
        var token = literal.Token;
        var value = token.ValueText;
        int inToken = value.Length == 0 ? -1 : token.Text.IndexOf(value, StringComparison.Ordinal);
        return (value, token.SpanStart + Math.Max(inToken, 0));
    }

    private static void Named(string? name, ExpressionSyntax value, string path, List<SecretHit> hits)
    {
        if (name is null || !GenericAssignments.IsCredentialName(name)) return;
        if (Literal(value) is not { } lit) return;
        var (text, offset) = lit;
        if (!GenericAssignments.IsPlausibleSecret(text)) return;
        hits.Add(GenericAssignments.Hit(path, offset, text, name));
    }
}
