using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Halo.Api.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ReportSeverity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "Severity",
                table: "citizen_reports",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Severity",
                table: "citizen_reports");
        }
    }
}
