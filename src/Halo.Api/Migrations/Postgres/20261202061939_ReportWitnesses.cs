using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Halo.Api.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ReportWitnesses : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "CountsAsWitness",
                table: "citizen_reports",
                type: "boolean",
                nullable: false,
                defaultValue: true); // stored reports were each counted as a reporter; PublicCellsFix recounts them

            migrationBuilder.AddColumn<string>(
                name: "NetworkHash",
                table: "citizen_reports",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "data_fixes",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    AppliedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    RowsChanged = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_data_fixes", x => x.Id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "data_fixes");

            migrationBuilder.DropColumn(
                name: "CountsAsWitness",
                table: "citizen_reports");

            migrationBuilder.DropColumn(
                name: "NetworkHash",
                table: "citizen_reports");
        }
    }
}
