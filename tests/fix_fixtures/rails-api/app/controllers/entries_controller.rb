class EntriesController < ApplicationController
  def index
    render json: Entry.order(:id).limit(100)
  end

  def create
    render json: Entry.create!(params.require(:entry).permit(:amount, :memo)), status: :created
  end
end
