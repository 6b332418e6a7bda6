using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Halo.Api.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class OneAuditLog : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "Reason",
                table: "audit_log",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(1000)",
                oldMaxLength: 1000,
                oldNullable: true);

            migrationBuilder.AddColumn<string>(
                name: "After",
                table: "audit_log",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Before",
                table: "audit_log",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RelatedEntityId",
                table: "audit_log",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_audit_log_RelatedEntityId",
                table: "audit_log",
                column: "RelatedEntityId");

            // Moderation decisions move into the one audit log; nothing recorded before this migration is lost.
            migrationBuilder.Sql(@"INSERT INTO ""audit_log"" (""Id"", ""At"", ""Actor"", ""Action"", ""EntityType"", ""EntityId"", ""RelatedEntityId"", ""Reason"", ""Before"", ""After"", ""Details"")
SELECT ""Id"", ""At"", left(""Actor"", 64), 'moderation.' || ""Action"", 'incident', ""IncidentId""::text, ""TargetIncidentId""::text, ""Reason"",
       ""PreviousStatus"", ""NewStatus"", '{""reports_moved"":' || ""ReportsMoved"" || '}'
FROM ""moderation_actions"";");

            migrationBuilder.DropTable(
                name: "moderation_actions");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_audit_log_RelatedEntityId",
                table: "audit_log");

            migrationBuilder.DropColumn(
                name: "After",
                table: "audit_log");

            migrationBuilder.DropColumn(
                name: "Before",
                table: "audit_log");

            migrationBuilder.DropColumn(
                name: "RelatedEntityId",
                table: "audit_log");

            migrationBuilder.AlterColumn<string>(
                name: "Reason",
                table: "audit_log",
                type: "character varying(1000)",
                maxLength: 1000,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(2000)",
                oldMaxLength: 2000,
                oldNullable: true);

            migrationBuilder.CreateTable(
                name: "moderation_actions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Action = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Actor = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    At = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    IncidentId = table.Column<Guid>(type: "uuid", nullable: false),
                    NewStatus = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    PreviousStatus = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Reason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    ReportsMoved = table.Column<int>(type: "integer", nullable: false),
                    TargetIncidentId = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_moderation_actions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_moderation_actions_At",
                table: "moderation_actions",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_moderation_actions_IncidentId_At",
                table: "moderation_actions",
                columns: new[] { "IncidentId", "At" });
        }
    }
}
